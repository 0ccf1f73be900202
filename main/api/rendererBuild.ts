/**
 * Where the built renderer lives, and building it on demand (Vite) when a fresh clone has none yet, so that
 * `facet serve` and the Electron shell work right after `npm install`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../library/repoRoot.ts';

export const RENDERER_DIST = path.join(REPO_ROOT, 'renderer', 'dist');

export class RendererBuildError extends Error {
  override readonly name = 'RendererBuildError';
}

export function rendererBuilt(dist = RENDERER_DIST): boolean {
  return existsSync(path.join(dist, 'index.html'));
}

/** Builds renderer/ into renderer/dist with Vite unless it is there already (or `force`). */
export function ensureRendererBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): string {
  if (!options.force && rendererBuilt()) return RENDERER_DIST;
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw new RendererBuildError('renderer/dist is missing and Vite is not installed: run `npm install`, then `npm run build:renderer`');
  options.log?.('building the renderer (renderer/dist) with Vite…');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', path.join(REPO_ROOT, 'renderer', 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !rendererBuilt()) throw new RendererBuildError(`the renderer build failed (vite exited with ${result.status ?? result.signal})`);
  return RENDERER_DIST;
}
