#!/usr/bin/env node
/**
 * Compiles main/ and native-models/ to JavaScript in build/ (or FACET_BUILD_DIR, or --out DIR), keeping the
 * module layout, so that `facet` starts without compiling TypeScript. Run by `npm install` (the prepare script)
 * and by `npm run build:cli`. Each file is transpiled on its own (no bundling, no type check: tsc does that), and
 * relative imports of `./x.ts` become `./x.js`. The TypeScript sources are copied beside their output too, so
 * code that starts a sibling file by name through tsx (benchmark runners) finds it. Where esbuild is missing the
 * build is skipped with a note and `facet` runs the sources through tsx.
 */
import { cpSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST, REPO_ROOT, buildDir, listSources, sourceStamp } from './sources.mjs';

/** `"./x.ts"`, `'../y/z.ts'`: relative module specifiers ending in .ts, in any quotes. Same length as .js. */
const RELATIVE_TS = /(["'`])(\.{1,2}\/[^"'`\n]*?)\.ts\1/g;

/** Worker threads start without a loader: the compiled entry loads tsx only for a TypeScript worker. */
const WORKER_ENTRY = `// Compiled build's worker entry (see bin/build.mjs): loads tsx only when the worker module is TypeScript.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.entry);
`;

function outputArg(argv) {
  const at = argv.indexOf('--out');
  return at >= 0 && argv[at + 1] ? path.resolve(argv[at + 1]) : undefined;
}

export async function build({ out = buildDir(), root = REPO_ROOT, log = (text) => process.stderr.write(text + '\n') } = {}) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    log(`facet build: esbuild is not installed (${error.message.split('\n')[0]}); facet will run the TypeScript sources through tsx`);
    return undefined;
  }
  const started = performance.now();
  // Stat before reading: a file edited during the build then counts as newer, and the next run sees it.
  const sources = listSources(root);
  const stamp = sourceStamp(sources);
  const typescript = sources.filter(({ file }) => file.endsWith('.ts') && !file.endsWith('.d.ts')).map(({ file }) => file);
  const staging = `${out}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: typescript,
    outdir: staging,
    outbase: root,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    tsconfig: path.join(root, 'tsconfig.json'),
    write: false,
    logLevel: 'silent',
  });
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.path.endsWith('.js') ? file.text.replace(RELATIVE_TS, '$1$2.js$1') : file.contents);
  }
  for (const { file } of sources) {
    const target = path.join(staging, path.relative(root, file));
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(file, target);
  }
  writeFileSync(path.join(staging, 'main', 'workers', 'tsEntry.mjs'), WORKER_ENTRY);
  if (path.relative(root, out).startsWith('..')) {
    // A build outside the repository (tests) needs the repository's packages and its "type": "module".
    symlinkSync(path.join(root, 'node_modules'), path.join(staging, 'node_modules'), 'junction');
    writeFileSync(path.join(staging, 'package.json'), '{ "type": "module", "private": true }\n');
  }
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(path.join(staging, MANIFEST), JSON.stringify({
    builtAt: new Date().toISOString(),
    node: process.version,
    esbuild: esbuild.version,
    sources: { count: stamp.count, newestMs: stamp.newestMs },
    compiled: typescript.length,
    seconds,
  }, null, 2) + '\n');
  // Swap in whole: a `facet` starting meanwhile sees the old build or none (then it runs the sources), never half of one.
  const previous = `${out}.old-${process.pid}`;
  let hadPrevious = true;
  try {
    renameSync(out, previous);
  } catch {
    hadPrevious = false;
  }
  renameSync(staging, out);
  if (hadPrevious) rmSync(previous, { recursive: true, force: true });
  return { out, compiled: typescript.length, files: sources.length, seconds };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith(`${path.sep}build.mjs`)) {
  try {
    const done = await build({ out: outputArg(process.argv.slice(2)) });
    if (done) process.stderr.write(`facet build: ${done.compiled} TypeScript files compiled into ${path.relative(process.cwd(), done.out) || '.'} in ${done.seconds.toFixed(1)} s\n`);
  } catch (error) {
    // A failed build must not fail `npm install`: facet then runs the sources through tsx.
    process.stderr.write(`facet build: ${error.message}\nfacet will run the TypeScript sources through tsx until the build succeeds (npm run build:cli)\n`);
  }
}
