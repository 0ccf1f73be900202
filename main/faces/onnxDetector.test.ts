import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadOnnxRuntime } from '../embed/onnxRuntime.ts';
import { OnnxSsdDetector } from './onnxDetector.ts';

const noOnnx = (await loadOnnxRuntime()) instanceof Error && 'onnxruntime-node does not load here';

test('landmarks in a box that is already the landmark net\'s 112 px square (no resize, int32 crop) come back', { skip: noOnnx }, async () => {
  const detector = new OnnxSsdDetector();
  await detector.load();
  try {
    const data = new Uint8Array(300 * 300 * 3).map((_, i) => (i * 37) % 251);
    const [face] = await detector.landmarksIn({ data, width: 300, height: 300 }, [{ x: 10, y: 20, width: 112, height: 112 }]);
    assert.ok(face && face.landmarks68!.length === 68);
    assert.ok(face.landmarks68!.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
  } finally {
    detector.dispose();
  }
});
