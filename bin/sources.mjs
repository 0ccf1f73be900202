/**
 * What the compiled build is made from, shared by the build (bin/build.mjs) and the launcher (bin/facet.js):
 * every file under main/ and native-models/ except tests. The launcher uses the build only when no source is
 * newer than it and none was added or removed since; a stale build would run yesterday's code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE_FOLDERS = ['main', 'native-models'];
export const MANIFEST = 'manifest.json';

/** The build folder: FACET_BUILD_DIR, else build/ in the repository. */
export function buildDir(env = process.env) {
  return env.FACET_BUILD_DIR ? path.resolve(env.FACET_BUILD_DIR) : path.join(REPO_ROOT, 'build');
}

const isTest = (name) => /\.test\.[cm]?[jt]s$/.test(name);

/** Every source file (absolute paths) with its modification time in ms. */
export function listSources(root = REPO_ROOT) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !isTest(entry.name)) files.push({ file: full, mtimeMs: statSync(full).mtimeMs });
    }
  };
  for (const folder of SOURCE_FOLDERS) walk(path.join(root, folder));
  return files;
}

/** What a build records about the sources it was made from. */
export function sourceStamp(sources) {
  let newestMs = 0;
  let newest = '';
  for (const { file, mtimeMs } of sources) {
    if (mtimeMs > newestMs) {
      newestMs = mtimeMs;
      newest = file;
    }
  }
  return { count: sources.length, newestMs, newest };
}

/**
 * Whether `dir` holds a build of the current sources: { fresh: true, manifest } or { fresh: false, reason, key }
 * where the reason names what is missing or which source is newer, and the key names the build it concerns.
 */
export function checkBuild(dir = buildDir(), root = REPO_ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8'));
  } catch {
    return { fresh: false, reason: `there is no compiled build in ${dir} (npm run build:cli makes one)`, key: 'missing' };
  }
  const now = sourceStamp(listSources(root));
  if (now.count !== manifest.sources?.count) {
    return { fresh: false, reason: `source files were added or removed since the build in ${dir} (npm run build:cli rebuilds it)`, key: manifest.builtAt };
  }
  if (now.newestMs > manifest.sources.newestMs) {
    return { fresh: false, reason: `${path.relative(root, now.newest)} is newer than the build in ${dir} (npm run build:cli rebuilds it)`, key: manifest.builtAt };
  }
  return { fresh: true, manifest };
}
