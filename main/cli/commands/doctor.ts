import { createRequire } from 'node:module';
import { CATALOG, DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../../native-models/catalog.ts';
import { readVerified } from '../../../native-models/locate.ts';
import { initBackend } from '../../embed/backend.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string | null {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

export const doctorCommand: Command = {
  summary: 'show the inference backend, the models and their checksums, versions and the database path',
  usage: 'facet doctor [--backend NAME] [--json]',
  async run({ json, out }) {
    const backend = await initBackend();
    const models = CATALOG.map((entry) => {
      try {
        for (const file of entry.files) readVerified(entry.package, file.path, file.sha256);
        return { id: entry.id, task: entry.task, package: `${entry.package}@${entry.version}`, ok: true, error: null as string | null };
      } catch (error) {
        return { id: entry.id, task: entry.task, package: `${entry.package}@${entry.version}`, ok: false, error: (error as Error).message };
      }
    });
    const versions = Object.fromEntries(
      ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'better-sqlite3', 'sharp', 'electron']
        .map((pkg) => [pkg, versionOf(pkg)]),
    );
    const report = {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      backend,
      defaults: { embedder: DEFAULT_EMBEDDER, detector: DEFAULT_DETECTOR },
      database: resolveDatabasePath(),
      models,
      versions,
    };
    if (json) {
      out(JSON.stringify(report, null, 2));
    } else {
      out(`node ${report.node} on ${report.platform}`);
      out(`backend   ${backend}`);
      out(`database  ${report.database}`);
      out(`defaults  embedder ${DEFAULT_EMBEDDER}, detector ${DEFAULT_DETECTOR}`);
      out('models:');
      for (const model of models) out(`  ${model.ok ? 'ok     ' : 'BROKEN '} ${model.task.padEnd(9)} ${model.id.padEnd(20)} ${model.package}${model.error ? '  ' + model.error : ''}`);
      out('versions:');
      for (const [pkg, version] of Object.entries(versions)) out(`  ${pkg.padEnd(30)} ${version ?? 'not installed'}`);
    }
    return models.every((model) => model.ok) ? 0 : 1;
  },
};
