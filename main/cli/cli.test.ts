/**
 * The `facet` command line as a user meets it: options checked before a command runs, global options anywhere,
 * one-sentence errors, text unless --json, one name for a cluster, quiet on a closed pipe, and the compiled build.
 * Most run main() in this process on a real SQLite file; the pipe and the build run bin/facet.js as a child.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { synthesizeFaces } from '../cluster/syntheticFaces.ts';
import { openStore } from '../store/index.ts';
import { insertSynthetic } from '../../test/faults/syntheticLibrary.ts';
import { main } from './main.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FACET = path.join(REPO, 'bin', 'facet.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs main() with captured output; the environment is left alone except FACET_DB/FACET_BACKEND cleared. */
async function facet(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const saved = { db: process.env.FACET_DB, backend: process.env.FACET_BACKEND };
  delete process.env.FACET_DB;
  delete process.env.FACET_BACKEND;
  try {
    const code = await main(argv, {
      out: (text) => { stdout += text + '\n'; },
      write: (chunk) => { stdout += chunk; },
      err: (text) => { stderr += text + '\n'; },
    });
    return { code, stdout, stderr };
  } finally {
    if (saved.db !== undefined) process.env.FACET_DB = saved.db;
    if (saved.backend !== undefined) process.env.FACET_BACKEND = saved.backend;
  }
}

/** A library of `faces` synthetic faces (real store, no images), clustered by `facet cluster` `runs` times. */
async function clusteredLibrary(name: string, faces: number, runs = 1): Promise<string> {
  const db = path.join(dir, name);
  const store = openStore(db);
  try {
    insertSynthetic(store, synthesizeFaces({ faces, seed: 7 }), DEFAULT_EMBEDDER);
  } finally {
    store.close();
  }
  for (let run = 0; run < runs; run++) {
    const clustered = await facet('cluster', '--threshold', '1.0', '--db', db);
    assert.equal(clustered.code, 0, clustered.stderr);
  }
  return db;
}

test('options are checked before the command runs: a bad number, a bad choice and an unknown option name the option, exit 2', async () => {
  const db = path.join(dir, 'untouched.db');
  const cases: Array<[string[], RegExp]> = [
    [['scan', '--workers', 'abc', dir], /^facet scan: --workers must be a whole number, at least 0, not "abc"\n$/],
    [['serve', '--port', '70000'], /^facet serve: --port must be a whole number from 0 to 65535, not "70000"\n$/],
    [['cluster', '--threshold', '0'], /^facet cluster: --threshold must be a number, above 0 and at most 4, not "0"\n$/],
    [['cluster', '--linkage', 'ward'], /^facet cluster: --linkage must be one of average, single, complete, not "ward"\n$/],
    [['eval', 'cluster', '--sweep', '0.1,x'], /^facet eval cluster: --sweep must be a list of numbers \(each above 0 and at most 4\) separated by commas, not "0.1,x"\n$/],
    [['faces', '--persn', 'Ada'], /^facet faces: there is no option --persn \(facet faces --help lists them\)\n$/],
    [['faces', '--person'], /^facet faces: --person needs a value \(NAME\|ID\)\n$/],
  ];
  for (const [argv, expected] of cases) {
    const run = await facet(...argv, '--db', db);
    assert.equal(run.code, 2, `${argv.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, expected, argv.join(' '));
    assert.equal(run.stdout, '');
  }
});

test('global options work before the command name, after it, and as --name=value', async () => {
  const db = path.join(dir, 'globals.db');
  for (const argv of [['--db', db, '--json', 'status'], ['status', '--json', '--db', db], ['--json', `--db=${db}`, 'status']]) {
    const run = await facet(...argv);
    assert.equal(run.code, 0, `${argv.join(' ')}: ${run.stderr}`);
    assert.equal(JSON.parse(run.stdout).database, db, argv.join(' '));
  }
  const help = await facet('--db', db, 'cluster', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--threshold T/);
});

test('status prints text, and JSON only with --json', async () => {
  const empty = path.join(dir, 'status.db');
  const json = await facet('status', '--json', '--db', empty);
  assert.deepEqual(JSON.parse(json.stdout), {
    database: empty, roots: [], photos: { ok: 0, failed: 0, missing: 0 }, faces: 0, persons: 0, namedPersons: 0, embeddings: [], embedder: DEFAULT_EMBEDDER,
  });
  const db = await clusteredLibrary('status-full.db', 40);
  const text = await facet('status', '--db', db);
  assert.equal(text.code, 0, text.stderr);
  assert.doesNotMatch(text.stdout, /[{}[\]"]/, 'no JSON in the text output');
  assert.match(text.stdout, /^database +.*status-full\.db$/m);
  assert.match(text.stdout, /^photos +\d+ readable, 0 unreadable, 0 missing$/m);
  assert.match(text.stdout, /^faces +40$/m);
  assert.match(text.stdout, new RegExp(`^embeddings +40 faces by ${DEFAULT_EMBEDDER} \\(in use\\)$`, 'm'));
});

test('errors are one sentence naming the thing at fault, with no class name and no stack (exit 1)', async () => {
  const db = await clusteredLibrary('errors.db', 60);
  const missing = await facet('name', 'c999', 'Ada', '--db', db);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'facet name: no unnamed cluster labelled "c999" (see facet people)\n');
  const empty = await facet('name', 'c1', '   ', '--db', db);
  assert.equal(empty.code, 1);
  assert.equal(empty.stderr.split('\n').length, 2, 'one line');
  assert.doesNotMatch(empty.stderr, /\w+Error\b|\n\s+at /, 'no class name, no stack');
  const unknownBackend = await facet('doctor', '--backend', 'quantum', '--db', db);
  assert.doesNotMatch(unknownBackend.stderr + unknownBackend.stdout, /BackendError/);
  // Refused before the command runs (a scan used to list the folder and fail only when its workers started).
  assert.equal(unknownBackend.code, 2);
  assert.match(unknownBackend.stderr, /^facet doctor: --backend: unknown backend "quantum": use one of .*\bonnx\b/u);
  const noFile = await facet('restore', path.join(dir, 'no-such-backup.db'), '--db', db);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /^facet restore: .*no-such-backup\.db.*\n$/);
  assert.doesNotMatch(noFile.stderr, /\w+Error\b|\n\s+at /);
  // A merge that contradicts a "not this person" asks for the flag that confirms it, in the command line's words;
  // with it the merge happens, and undo brings the decision back.
  assert.equal((await facet('name', 'c1', 'Ada', '--db', db)).code, 0);
  const adaFaces = (JSON.parse((await facet('faces', '--json', '--db', db)).stdout) as Array<{ id: number; personName: string | null }>).filter((f) => f.personName === 'Ada');
  const rejected = adaFaces[0]!.id;
  // --person takes a person as the other commands do: by id (person:N) as well as by name.
  const adaId = (JSON.parse((await facet('faces', '--json', '--db', db)).stdout) as Array<{ id: number; personId: number | null }>).find((f) => f.id === rejected)!.personId!;
  const byId = JSON.parse((await facet('faces', '--json', '--person', `person:${adaId}`, '--db', db)).stdout) as Array<{ id: number }>;
  assert.deepEqual(byId.map((f) => f.id), adaFaces.map((f) => f.id));
  assert.equal((await facet('reject', String(rejected), 'Ada', '--db', db)).code, 0);
  const loose = (JSON.parse((await facet('faces', '--json', '--db', db)).stdout) as Array<{ id: number; clusterLabel: string | null }>).find((f) => f.id === rejected)!;
  assert.ok(loose.clusterLabel, 'the rejected face keeps a cluster of its own to name');
  // Its cluster merged into Ada, or named Ada, is refused the same way: both used to drop the decision silently.
  const clusterMerge = await facet('merge', loose.clusterLabel!, 'Ada', '--db', db);
  assert.equal(clusterMerge.code, 2);
  assert.equal(clusterMerge.stderr, `facet merge: merging ${loose.clusterLabel} into Ada contradicts your "not this person" decision on face ${rejected}: add --drop-contradictions to go ahead and drop it (facet undo brings it back)\n`);
  const clusterName = await facet('name', loose.clusterLabel!, 'ada', '--db', db);
  assert.equal(clusterName.code, 2);
  assert.equal(clusterName.stderr, `facet name: naming ${loose.clusterLabel} "ada" contradicts your "not this person" decision on face ${rejected}: add --drop-contradictions to go ahead and drop it (facet undo brings it back)\n`);
  const still = (JSON.parse((await facet('faces', '--json', '--db', db)).stdout) as Array<{ id: number; personName: string | null }>).find((f) => f.id === rejected)!;
  assert.notEqual(still.personName, 'Ada', 'nothing changed');
  assert.equal((await facet('name', loose.clusterLabel!, 'Bob', '--db', db)).code, 0);
  // Renaming a named person to another's name merges two people the user named: asked first, as merge asks.
  const renameInto = await facet('name', 'Bob', 'Ada', '--db', db);
  assert.equal(renameInto.code, 2);
  assert.equal(renameInto.stderr, 'facet name: "Ada" is another person\'s name: renaming "Bob" to it merges the two; add --yes to do so (facet undo reverts it)\n');
  const contradicted = await facet('merge', 'Bob', 'Ada', '--yes', '--db', db);
  assert.equal(contradicted.code, 2);
  assert.equal(contradicted.stderr, `facet merge: merging Bob into Ada contradicts your "not this person" decision on face ${rejected}: add --drop-contradictions to go ahead and drop it (facet undo brings it back)\n`);
  assert.equal((await facet('name', 'Bob', 'Ada', '--yes', '--db', db)).code, 2, 'renaming into Ada meets the same decision');
  const confirmed = await facet('merge', 'Bob', 'Ada', '--yes', '--drop-contradictions', '--db', db);
  assert.equal(confirmed.code, 0, confirmed.stderr);
  assert.equal((await facet('undo', '--db', db)).code, 0);
  const again = await facet('merge', 'Bob', 'Ada', '--yes', '--db', db);
  assert.equal(again.code, 2, 'after undo the "not this person" decision is back, and so is the question');
  assert.match((await facet('history', '--limit', '1', '--db', db)).stdout, /merge +Merged "Bob" into "Ada" \(\d+ faces?\) \(undone; facet redo makes it again\)\n$/);
  const redone = await facet('redo', '3', '--db', db);
  assert.equal(redone.code, 0, redone.stderr);
  assert.match(redone.stdout, /^redone: Merged "Bob" into "Ada" \(\d+ faces?\)\n\(only 1 of the 3 asked could be redone\)\n$/);
  const bob = await facet('faces', '--person', 'Bob', '--db', db);
  assert.equal(bob.code, 1, 'Bob is gone again: merged into Ada');
  assert.match(bob.stderr, /Bob/);
  const noMore = await facet('redo', '--db', db);
  assert.equal(noMore.stderr, 'facet redo: there is nothing to redo\n');

  // Grouping a library with no faces says what to do first, and records no failed run.
  const emptyDb = path.join(dir, 'empty.db');
  const nothing = await facet('cluster', '--db', emptyDb);
  assert.equal(nothing.code, 1);
  assert.equal(nothing.stderr, 'facet cluster: no faces with dlib-resnet embeddings yet: add a folder and scan it first\n');
  const store = openStore(emptyDb);
  try {
    assert.equal(store.db.prepare('SELECT count(*) FROM cluster_runs').pluck().get(), 0);
  } finally {
    store.close();
  }
});

test('one name for a cluster: faces --json gives the label people lists and name takes; numeric ids only as clusterRowId', async () => {
  // Clustered twice: the second run's cluster rows have new ids while the labels stay, so ids and labels differ.
  const db = await clusteredLibrary('labels.db', 120, 2);
  const people = JSON.parse((await facet('people', '--json', '--db', db)).stdout) as Array<{ kind: string; id: string; faces: number }>;
  const clusters = people.filter((entry) => entry.kind === 'cluster');
  assert.ok(clusters.length >= 2, 'the synthetic library forms clusters');
  const faces = JSON.parse((await facet('faces', '--json', '--db', db)).stdout) as Array<Record<string, unknown>>;
  assert.ok(faces.every((face) => !('clusterId' in face)), 'no ambiguous clusterId field');
  for (const cluster of clusters) {
    const members = faces.filter((face) => face.clusterLabel === cluster.id);
    assert.equal(members.length, cluster.faces, `faces --json lists ${cluster.id}'s ${cluster.faces} faces under the same label`);
    assert.equal(new Set(members.map((face) => face.clusterRowId)).size, 1);
  }
  const rowIdOf = (label: string) => faces.find((face) => face.clusterLabel === label)!.clusterRowId;
  assert.ok(clusters.some((cluster) => `c${rowIdOf(cluster.id)}` !== cluster.id), 'row ids and labels differ here, so a mix-up would show');
  const target = clusters[0]!;
  const named = await facet('name', target.id, 'Ada', '--json', '--db', db);
  assert.equal(named.code, 0, named.stderr);
  const after = JSON.parse((await facet('faces', '--json', '--person', 'Ada', '--db', db)).stdout) as unknown[];
  assert.equal(after.length, target.faces, `facet name ${target.id} named exactly the faces faces --json gave that label`);
});

test('a closed pipe ends the command quietly: facet faces | head -1', { timeout: 120_000 }, async () => {
  const db = await clusteredLibrary('pipe.db', 3000);
  const shell = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${FACET}" faces --db "${db}" | head -1`], {
    encoding: 'utf8', env: { ...process.env, FACET_FROM_SOURCE: '1', FACET_DEBUG: '' },
  });
  assert.equal(shell.stdout.split('\n').filter(Boolean).length, 1, 'head printed one line');
  assert.equal(shell.stderr, '', 'no EPIPE trace');
  assert.equal(shell.status, 0, 'facet ended with 0 once its reader left');
});

test('the compiled build runs: bin/build.mjs into a temporary folder, then bin/facet.js status from it', { timeout: 300_000 }, async () => {
  const build = path.join(dir, 'build');
  const home = path.join(dir, 'home');
  const made = spawnSync(process.execPath, [path.join(REPO, 'bin', 'build.mjs'), '--out', build], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stderr, /TypeScript files compiled into/);
  const env: NodeJS.ProcessEnv = { ...process.env, FACET_BUILD_DIR: build, FACET_HOME: home, FACET_DEBUG: '1', FACET_FROM_SOURCE: '' };
  delete env.FACET_DB;
  // In a working tree others are editing, a file saved between the build and the run makes the build stale (then
  // the sources run, saying so): build again, a few times, before calling that a failure.
  let run = { code: null as number | null, stdout: '', stderr: '' };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) spawnSync(process.execPath, [path.join(REPO, 'bin', 'build.mjs'), '--out', build]);
    run = await new Promise((resolve) => {
      const child = spawn(process.execPath, [FACET, 'status'], { env });
      let stdout = '', stderr = '';
      child.stdout.on('data', (chunk) => { stdout += chunk; });
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    if (!/running the TypeScript sources/.test(run.stderr)) break;
  }
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`running the compiled build in ${escape(build)}`));
  assert.match(run.stdout, new RegExp(`^database +${escape(path.join(home, 'facet.db'))}$`, 'm'));
  assert.match(run.stdout, /^photos +0 readable/m);
});

test('without a build, bin/facet.js runs the sources through tsx and says so once', { timeout: 120_000 }, () => {
  const missing = path.join(dir, 'no-build');
  const env: NodeJS.ProcessEnv = { ...process.env, FACET_BUILD_DIR: missing, FACET_HOME: path.join(dir, 'home-tsx'), FACET_FROM_SOURCE: '', FACET_DEBUG: '' };
  delete env.FACET_DB;
  const first = spawnSync(process.execPath, [FACET, 'status'], { encoding: 'utf8', env });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /^facet: there is no compiled build in .*no-build \(npm run build:cli makes one\); running the TypeScript sources through tsx/);
  assert.match(first.stdout, /^photos +0 readable/m);
  const second = spawnSync(process.execPath, [FACET, 'status'], { encoding: 'utf8', env });
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stderr, '', 'said once');
});
