/** `facet doctor`: what this machine can run: backends (and why not), model files with size and checksum, versions. */
import { createRequire } from 'node:module';
import { CATALOG, DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../../native-models/catalog.ts';
import { readVerified, resolveModelFile } from '../../../native-models/locate.ts';
import type { BackendName } from '../../embed/backend.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string | null {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

interface BackendProbe {
  name: BackendName;
  loads: boolean;
  /** What loaded, or why it does not load here. */
  detail: string;
}

/** Whether each backend can load on this machine, and why not; tried in the order `facet` picks them. */
async function probeBackends(): Promise<BackendProbe[]> {
  const [{ BACKEND_NAMES, initBackend }, { loadOnnxRuntime }] = await Promise.all([import('../../embed/backend.ts'), import('../../embed/onnxRuntime.ts')]);
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) {
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      const version = versionOf(pkg);
      if (version === null) {
        probes.push({ name, loads: false, detail: `${pkg} is not installed (an optional dependency: its install downloads libtensorflow${name === 'tensorflow-gpu' ? ' and needs CUDA' : ''})` });
        continue;
      }
      try {
        await import(pkg);
        probes.push({ name, loads: true, detail: `${pkg} ${version}` });
      } catch (error) {
        probes.push({ name, loads: false, detail: `${pkg} ${version} is installed but does not load: ${firstLine(error)}` });
      }
    } else if (name === 'onnx') {
      const runtime = await loadOnnxRuntime();
      probes.push(runtime instanceof Error
        ? { name, loads: false, detail: firstLine(runtime) }
        : { name, loads: true, detail: `onnxruntime-node ${versionOf('onnxruntime-node') ?? ''} on the CPU (SSD, landmarks, dlib ResNet; tfjs for the rest)`.replace('  ', ' ') });
    } else {
      try {
        await initBackend(name);
        probes.push({ name, loads: true, detail: name === 'wasm' ? `@tensorflow/tfjs-backend-wasm ${versionOf('@tensorflow/tfjs-backend-wasm')}` : 'plain JavaScript, slow (last resort)' });
      } catch (error) {
        probes.push({ name, loads: false, detail: firstLine(error) });
      }
    }
  }
  return probes;
}

interface ModelFileReport {
  model: string;
  task: string;
  package: string;
  file: string;
  path: string | null;
  bytes: number;
  sha256: string;
  ok: boolean;
  problem: string | null;
}

function checkModels(): ModelFileReport[] {
  return CATALOG.flatMap((entry) => entry.files.map((file) => {
    const base = { model: entry.id, task: entry.task, package: `${entry.package}@${entry.version}`, file: file.path, bytes: file.bytes, sha256: file.sha256 };
    try {
      const bytes = readVerified(entry.package, file.path, file.sha256);
      return { ...base, path: resolveModelFile(entry.package, file.path), bytes: bytes.length, ok: true, problem: null };
    } catch (error) {
      let found: string | null = null;
      try { found = resolveModelFile(entry.package, file.path); } catch { /* not found: the problem says where it looked */ }
      return { ...base, path: found, ok: false, problem: firstLine(error) };
    }
  }));
}

const size = (bytes: number) => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

export const doctorCommand = defineCommand({
  summary: 'which backends load here (and why not), each model file with size and sha256, versions, the database path',
  usage: 'facet doctor [--backend NAME] [--json]',
  async run({ json, database, backend: requested, out }) {
    // TensorFlow.js loads only now, so that --help answers at once.
    const { initBackend, parseBackendName } = await import('../../embed/backend.ts');
    if (requested !== undefined) {
      try {
        parseBackendName(requested);
      } catch (error) {
        throw new UsageError(firstLine(error));
      }
    }
    // The backend a scan would use, before the probes below switch tfjs from one to the next.
    let chosen: string;
    try {
      chosen = await initBackend(requested);
    } catch (error) {
      chosen = `none (${firstLine(error)})`;
    }
    const backends = await probeBackends();
    const models = checkModels();
    const versions = Object.fromEntries(
      ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'better-sqlite3', 'sharp', 'exiftool-vendored', 'electron']
        .map((pkg) => [pkg, versionOf(pkg)]),
    );
    const report = {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      backend: chosen,
      backends,
      defaults: { embedder: DEFAULT_EMBEDDER, detector: DEFAULT_DETECTOR },
      database,
      models,
      versions,
    };
    if (json) {
      out(JSON.stringify(report, null, 2));
    } else {
      out(`node ${report.node} on ${report.platform}`);
      out(`database  ${database}`);
      out(`backend   ${chosen}${requested ? ' (asked for)' : ' (the fastest that loads)'}`);
      for (const probe of backends) out(`  ${probe.loads ? 'loads     ' : 'not here  '} ${probe.name.padEnd(15)} ${probe.detail}`);
      out(`models    (defaults: embedder ${DEFAULT_EMBEDDER}, detector ${DEFAULT_DETECTOR})`);
      for (const file of models) {
        out(`  ${file.ok ? 'ok    ' : 'BROKEN'} ${file.task.padEnd(9)} ${file.model.padEnd(20)} ${size(file.bytes).padStart(8)}  sha256 ${file.sha256}`);
        out(`         ${file.path ?? `${file.package} ${file.file}`}${file.problem ? `\n         ${file.problem}` : ''}`);
      }
      out('versions');
      for (const [pkg, version] of Object.entries(versions)) out(`  ${pkg.padEnd(30)} ${version ?? 'not installed'}`);
    }
    return models.every((file) => file.ok) ? 0 : 1;
  },
});
