/**
 * `facet bench pipeline` and `facet bench rescan` end to end on tiny inputs: the JSON each prints.
 * The pipeline run uses two of face-api's demo photos (one worker, with the face-api peer); converted
 * ONNX models go to a temporary cache folder. About 30 s on two shared cores.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_DIR } from '../../../test/integration/lfwData.ts';
import { LFW_IMAGES } from '../../eval/benchRescan.ts';

const FACET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/facet.js');

describe('facet bench', () => {
  let root = '';
  const lfwSkip = !existsSync(LFW_IMAGES) && `LFW images not found at ${LFW_IMAGES} (set FACET_LFW_DIR)`;
  const facet = (...args: string[]) => facetWith({}, ...args);
  const facetWith = (extraEnv: Record<string, string>, ...args: string[]) => {
    const env = { ...process.env, FACET_CACHE_DIR: path.join(root, 'cache'), ...extraEnv };
    return spawnSync(process.execPath, [FACET, 'bench', ...args], { encoding: 'utf8', env, timeout: 300_000 });
  };
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'facet-cli-bench-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('pipeline --json reports throughput, stages, memory, GFLOP/s against the ceiling, and the face-api peer', () => {
    const data = path.join(root, 'photos');
    mkdirSync(path.join(data, 'nested'), { recursive: true });
    copyFileSync(path.join(DEMO_DIR, 'sample1.jpg'), path.join(data, 'sample1.jpg'));
    copyFileSync(path.join(DEMO_DIR, 'sample3.jpg'), path.join(data, 'nested', 'sample3.jpg'));
    const result = facet('pipeline', '--data', data, '--workers', '1', '--limit', '2', '--json');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    for (const key of ['photos', 'faces', 'photosPerSecond', 'facesPerSecond', 'peakMB', 'loadedMB', 'earlyMB', 'lateMB', 'embedGflops', 'ceilingGflops',
      'decodeCeilingPhotosPerSecond', 'peerPhotosPerSecond', 'ratio', 'workers']) {
      assert.equal(typeof report[key], 'number', `${key}: ${report[key]}`);
    }
    assert.equal(report.photos, 2);
    assert.equal(report.workers, 1);
    assert.ok(report.faces >= 2);
    assert.equal(report.storedFaces, report.faces, 'the run is a scan: every face found is stored in its SQLite file');
    assert.match(report.peer, /@vladmandic\/face-api/);
    assert.equal(report.peerFaces, report.faces, 'same detector, same weights, same tiles, same photos: same faces');
    assert.match(report.peer, /same small-face tiles/);
    assert.ok(report.peerSinglePass.faces <= report.faces, 'face-api as it comes finds no more faces than at our accuracy');
    assert.ok(report.peerSinglePass.photosPerSecond > 0);
    assert.ok(report.peakMB >= report.loadedMB && report.loadedMB > 0);
    assert.deepEqual(Object.keys(report.stageMs).sort(), ['align', 'decode', 'detect', 'embed', 'embedPerFace', 'thumbnails']);
    assert.ok(report.stageMs.detect > 0 && report.stageMs.embed > 0);
    assert.ok(report.ceilingGflops > 0 && report.embedGflops > 0);
  });

  it('rescan and scan --json say clearly why they are skipped where FACET_LFW_DIR holds no LFW', () => {
    const empty = path.join(root, 'no-lfw');
    mkdirSync(empty, { recursive: true });
    for (const args of [['rescan', '--files', '300'], ['scan', '--files', '8', '--workers', '1']]) {
      const result = facetWith({ FACET_LFW_DIR: empty }, ...args, '--json');
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.equal(report.skipped, true, `${args[0]}: ${result.stdout}`);
      assert.ok(String(report.reason).includes(empty), `${args[0]} names the folder: ${report.reason}`);
    }
  });

  it('rescan --json times an unchanged rescan', { skip: lfwSkip }, () => {
    const result = facet('rescan', '--files', '300', '--json');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.files, 300);
    assert.equal(report.unchanged, 300);
    assert.equal(report.analysed, 0);
    assert.equal(typeof report.rescanSeconds, 'number');
    assert.equal(typeof report.metTarget, 'boolean');
  });

  it('scan --json runs a real scan and reports throughput and memory at each quarter', { skip: lfwSkip }, () => {
    const result = facet('scan', '--files', '8', '--workers', '1', '--json');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.runs.length, 1);
    const [run] = report.runs;
    assert.equal(run.workers, 1);
    assert.equal(run.photos, 8);
    assert.equal(run.failed, 0);
    assert.ok(run.faces >= 7, `${run.faces} faces in 8 LFW photos`);
    assert.equal(run.rssAtQuarters.length, 4);
    assert.ok(run.photosPerSecond > 0 && run.loadSeconds > 0 && report.peakMB >= run.peakMB - 1);
    assert.match(report.machine, /cores available/);
  });

  it('names the benchmarks when given none or an unknown one', () => {
    const result = facet('nope');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^facet bench: there is no "nope": use one of .*pipeline, rescan, cluster/);
  });
});
