/**
 * BlazeFace proposals: MediaPipe's anchor scheme for any H x W, decoding and NMS on synthetic outputs;
 * the anchors checked against the tfjs graph model at its own 256x256 (its decoded boxes land on the
 * faces SSD finds in the same real photo); and the ONNX proposer on a whole demo photo, boxes in its
 * pixels. The ONNX part is skipped where onnxruntime-node is not installed.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { iou } from '../../native-models/faceapi/boxMath.ts';
import { catalogEntry } from '../../native-models/catalog.ts';
import { convertBlazefaceWithHeads } from '../../native-models/onnx/blazefaceOnnx.ts';
import { loadGraphModel } from '../../native-models/tfjsLoad.ts';
import { initBackend } from '../embed/backend.ts';
import { loadOnnxRuntime } from '../embed/onnxRuntime.ts';
import type { RgbImage } from '../core/types.ts';
import { createDetector } from './detectors.ts';
import { anchorLayers, BLAZEFACE_BACK_LAYERS, BlazeProposer, blazeAnchors, decodeBlazeface, padBottomRight, paddedInputSize, proposalLevel, proposalSpans, PROPOSAL_STRIP_OVERLAP, PROPOSAL_TILE_COLUMNS, suppress } from './blazeProposals.ts';
import { shrinkArea } from './rgbResize.ts';
import { loadSample } from './testing/sampleImages.ts';

let runtimeError: string | false = false;
before(async () => {
  const runtime = await loadOnnxRuntime();
  runtimeError = runtime instanceof Error ? `onnxruntime-node unavailable: ${runtime.message}` : false;
  await initBackend('wasm');
});

test("MediaPipe's back-camera anchor layers (strides 16, 32, 32, 32, two anchors each) are the converted graph's heads", () => {
  assert.deepEqual(anchorLayers([16, 32, 32, 32], 2), [{ stride: 16, anchorsPerCell: 2 }, { stride: 32, anchorsPerCell: 6 }]);
  assert.deepEqual(anchorLayers([8, 16, 16, 16], 2), [{ stride: 8, anchorsPerCell: 2 }, { stride: 16, anchorsPerCell: 6 }], 'the front-camera model, for comparison');
  assert.deepEqual(convertBlazefaceWithHeads().heads, BLAZEFACE_BACK_LAYERS);
});

test('anchors: 896 at 256x256, cell centres row-major with the anchors of a cell together; any H x W', () => {
  const a = blazeAnchors(256, 256);
  assert.equal(a.length / 2, 896);
  const at = (i: number) => [a[i * 2], a[i * 2 + 1]];
  assert.deepEqual([at(0), at(1), at(2), at(32)], [[8, 8], [8, 8], [24, 8], [8, 24]]);
  assert.deepEqual([at(511), at(512), at(517), at(518), at(895)], [[248, 248], [16, 16], [16, 16], [48, 16], [240, 240]]);
  const wide = blazeAnchors(768, 512);
  assert.equal(wide.length / 2, 48 * 32 * 2 + 24 * 16 * 6);
  assert.deepEqual([wide[(48 * 2) * 2], wide[(48 * 2) * 2 + 1]], [8, 24], 'the second row of the stride-16 map starts after 48 cells');
});

test('decoding: centre = anchor + offset, size as given, in input px; logits below the score are dropped; NMS keeps the best', () => {
  const anchors = blazeAnchors(64, 64); // 4·4·2 + 2·2·6 = 56 anchors
  const n = anchors.length / 2;
  const regressors = new Float32Array(n * 16), logits = new Float32Array(n).fill(-5);
  // Anchor 10: cell (1, 1) of the stride-16 map, centre (24, 24).
  regressors.set([2, -3, 20, 22], 10 * 16);
  logits[10] = 2;
  regressors.set([1, -2, 20, 21], 11 * 16); // the same cell's second anchor, nearly the same box
  logits[11] = 1;
  const found = decodeBlazeface(regressors, logits, anchors, 0.5);
  assert.equal(found.length, 2);
  assert.deepEqual(found[0]!.box, { x: 26 - 10, y: 21 - 11, width: 20, height: 22 });
  assert.ok(Math.abs(found[0]!.score - 1 / (1 + Math.exp(-2))) < 1e-12);
  const kept = suppress(found, 0.3);
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!.score, found[0]!.score);
  assert.throws(() => decodeBlazeface(regressors.subarray(16), logits, anchors, 0.5), /do not agree/);
});

test('inputs are padded black after the bottom/right edge to multiples of 32', () => {
  assert.deepEqual(paddedInputSize(1613, 1210), { width: 1632, height: 1216 });
  assert.deepEqual(paddedInputSize(20, 64), { width: 32, height: 64 });
  const image: RgbImage = { data: new Uint8Array(2 * 1 * 3).fill(7), width: 2, height: 1 };
  const padded = padBottomRight(image, 3, 2);
  assert.deepEqual([...padded.data], [7, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

/** SSD's faces (tfjs) and the tfjs BlazeFace graph's decoded boxes, on the same 256x256 real image. */
async function facesBothWays(image: RgbImage) {
  const ssd = createDetector('ssd-mobilenetv1');
  await ssd.load();
  const faces = await ssd.detect(image);
  ssd.dispose();
  const model = await loadGraphModel(catalogEntry('blazeface-back', 'proposals'));
  const [regressors, logits] = tf.tidy(() => {
    const x = tf.sub(tf.div(tf.tensor4d(image.data, [1, 256, 256, 3], 'float32'), 127.5), 1);
    const [reg16, reg32, cls16, cls32] = model.execute(x, ['Identity_2', 'Identity_3', 'Identity', 'Identity_1']) as tf.Tensor[];
    return [tf.concat([reg16!, reg32!], 1).dataSync() as Float32Array, tf.concat([cls16!, cls32!], 1).dataSync() as Float32Array];
  });
  model.dispose();
  return { faces, blaze: suppress(decodeBlazeface(regressors!, logits!, blazeAnchors(256, 256), 0.5), 0.3) };
}

test('the anchors decode the tfjs graph model at 256x256 onto the faces SSD finds in a real photo', async () => {
  // Four faces of 145-187 px in the photo, ~30-37 px at 256.
  const image = shrinkArea(await loadSample('sample4', { left: 200, top: 0, width: 1300, height: 1300 }), 256, 256);
  const { faces, blaze } = await facesBothWays(image);
  assert.ok(faces.length >= 3, `SSD finds ${faces.length} faces`);
  for (const face of faces) {
    const best = Math.max(...blaze.map((b) => iou(b.box, face.box)));
    assert.ok(best >= 0.5, `SSD face at ${Math.round(face.box.x)},${Math.round(face.box.y)}: best BlazeFace IoU ${best.toFixed(2)}`);
  }
});

/** The first demo photo, the faces SSD finds in it (the reference), and a loaded proposer. */
async function photoFacesAndProposer() {
  const photo = await loadSample('sample1');
  const ssd = createDetector('ssd-mobilenetv1');
  await ssd.load();
  const faces = await ssd.detect(photo);
  ssd.dispose();
  const proposer = new BlazeProposer(1);
  await proposer.load();
  return { photo, faces, proposer };
}

test('the ONNX proposer on a whole demo photo: proposals in its pixels, on the faces SSD finds', { skip: runtimeError }, async () => {
  const { photo, faces, proposer } = await photoFacesAndProposer();
  try {
    const level = await proposalLevel(photo, 0.4);
    const run = await proposer.propose(level, photo.width, photo.height);
    assert.equal(run.inputPixels, paddedInputSize(level.width, level.height).width * paddedInputSize(level.width, level.height).height);
    const found = faces.filter((face) => run.proposals.some((p) => iou(p.box, face.box) >= 0.4));
    assert.ok(found.length >= faces.length - 1, `${found.length} of SSD's ${faces.length} faces proposed`);
    assert.ok(run.proposals.every((p, i) => i === 0 || p.score <= run.proposals[i - 1]!.score), 'best first');
  } finally {
    proposer.dispose();
  }
  await assert.rejects(() => proposer.propose(photo, photo.width, photo.height), /before load/);
});

test('the ONNX proposer on a level cut into strips and columns: the faces SSD finds, each proposed once', { skip: runtimeError }, async () => {
  // The demo photo itself as the level (1920x1280): four strips of three columns, so faces lie across inner edges.
  const { photo, faces, proposer } = await photoFacesAndProposer();
  try {
    assert.equal(proposalSpans(photo.width, PROPOSAL_TILE_COLUMNS).length, 3);
    const run = await proposer.propose(photo, photo.width, photo.height);
    const tiles = proposalSpans(photo.height).flatMap((row) => proposalSpans(photo.width, PROPOSAL_TILE_COLUMNS).map((column) => paddedInputSize(column.size, row.size)));
    assert.equal(run.inputPixels, tiles.reduce((sum, tile) => sum + tile.width * tile.height, 0));
    const proposedFor = faces.map((face) => run.proposals.filter((p) => iou(p.box, face.box) >= 0.4).length);
    assert.ok(proposedFor.filter((n) => n > 0).length >= faces.length - 1, `proposals per SSD face: ${proposedFor}`);
    assert.ok(proposedFor.every((n) => n <= 1), `no face proposed twice from two tiles: ${proposedFor}`);
  } finally {
    proposer.dispose();
  }
});

test('a large level runs as strips and columns that share enough rows and columns for any face a proposal is needed for', () => {
  assert.deepEqual(proposalSpans(300), [{ start: 0, size: 300 }]);
  assert.deepEqual(proposalSpans(512), [{ start: 0, size: 512 }]);
  const strips = proposalSpans(1210);
  assert.deepEqual(strips, [{ start: 0, size: 512 }, { start: 384, size: 512 }, { start: 768, size: 442 }]);
  // A 12 MP photo's level (1613 wide): two columns, 960 and 781 wide (800 once padded), not one of 1664.
  assert.deepEqual(proposalSpans(1613, PROPOSAL_TILE_COLUMNS), [{ start: 0, size: 960 }, { start: 832, size: 781 }]);
  assert.deepEqual(proposalSpans(960, PROPOSAL_TILE_COLUMNS), [{ start: 0, size: 960 }]);
  // Every row and column is in a span, and every band of PROPOSAL_STRIP_OVERLAP lies whole in one.
  for (const [length, spans] of [[1210, strips], [1613, proposalSpans(1613, PROPOSAL_TILE_COLUMNS)], [4000, proposalSpans(4000, PROPOSAL_TILE_COLUMNS)]] as const) {
    for (let at = 0; at + PROPOSAL_STRIP_OVERLAP <= length; at += 7) {
      assert.ok(spans.some((s) => s.start <= at && at + PROPOSAL_STRIP_OVERLAP <= s.start + s.size), `${length}: ${at}..${at + PROPOSAL_STRIP_OVERLAP}`);
    }
    assert.equal(spans.at(-1)!.start + spans.at(-1)!.size, length);
  }
  assert.throws(() => proposalSpans(100, 0), RangeError);
});
