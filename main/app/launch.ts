/**
 * `npm start`: the desktop app when Electron's binary is installed, otherwise browser mode (`facet serve
 * --open`), saying so. Electron's package is an optional dependency whose binary download is not allowed to
 * run at install (package.json allowScripts), so on most machines only its types are there.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../library/repoRoot.ts';

/** The Electron executable, or undefined with the reason. */
export function findElectron(resolve: (id: string) => unknown = createRequire(import.meta.url)): { binary?: string; reason?: string } {
  let binary: unknown;
  try {
    binary = resolve('electron');
  } catch (error) {
    return { reason: `the electron package is not installed (${(error as Error).message.split('\n')[0]})` };
  }
  if (typeof binary !== 'string') return { reason: 'the electron package did not give a binary path' };
  if (!existsSync(binary)) return { reason: `Electron's binary is not downloaded (${binary} is missing)` };
  return { binary };
}

/** Builds the preload to CommonJS (the sandbox cannot load ES modules or TypeScript). */
export async function buildPreload(outFile = path.join(REPO_ROOT, 'out', 'preload.cjs')): Promise<string> {
  const esbuild = await import('esbuild');
  mkdirSync(path.dirname(outFile), { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, 'main', 'app', 'preload.ts')],
    outfile: outFile, bundle: true, format: 'cjs', platform: 'node', external: ['electron'], target: 'node20', logLevel: 'warning',
  });
  return outFile;
}

export async function launchElectron(binary: string): Promise<number> {
  const preload = await buildPreload();
  const child = spawn(binary, [path.join(REPO_ROOT, 'main', 'app', 'electron-entry.mjs')], {
    cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, FACET_PRELOAD: preload },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}
