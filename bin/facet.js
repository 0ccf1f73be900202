#!/usr/bin/env node
/**
 * The `facet` command. It runs the compiled JavaScript in build/ (made by `npm install` through the prepare
 * script, or `npm run build:cli`), which starts in a fraction of a second. Where that build is missing or older
 * than the sources, it runs the TypeScript sources through tsx instead (a slower start) and says so once on
 * stderr for each state of the sources. FACET_FROM_SOURCE=1 always runs the sources.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, buildDir, checkBuild } from './sources.mjs';

if (process.env.FACET_DEBUG === '1') process.setSourceMapsEnabled(true);

// Whatever escapes a command (an error in a callback, a promise nobody awaited) is still told in one sentence.
const fatal = (error) => {
  process.stderr.write(`facet: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  if (process.env.FACET_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

const dir = buildDir();
const build = process.env.FACET_FROM_SOURCE === '1' ? { fresh: false } : checkBuild(dir);
let entry;
if (build.fresh) {
  entry = path.join(dir, 'main', 'cli', 'main.js');
  if (process.env.FACET_DEBUG === '1') process.stderr.write(`facet: running the compiled build in ${dir}\n`);
} else {
  if (build.reason) noticeOnce(build.reason, build.key);
  const { register } = await import('tsx/esm/api');
  register();
  entry = path.join(REPO_ROOT, 'main', 'cli', 'main.ts');
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));

/** Says why the sources run, once for each build (remembered in it), so scripts are not flooded with it. */
function noticeOnce(reason, key) {
  const marker = path.join(dir, '.notice');
  try {
    if (readFileSync(marker, 'utf8') === key) return;
  } catch {
    // Not said yet.
  }
  process.stderr.write(`facet: ${reason}; running the TypeScript sources through tsx meanwhile (slower to start)\n`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, key);
  } catch {
    // A read-only checkout: said every time, which is still right.
  }
}
