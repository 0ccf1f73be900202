import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trackFaces, type SampledFrame } from './videoTracks.ts';

/** A unit vector near axis `axis` of 8 dimensions, nudged by `noise` along the next axis. */
function vector(axis: number, noise = 0): Float32Array {
  const v = new Float32Array(8);
  v[axis] = 1;
  v[(axis + 1) % 8] = noise;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const box = (x: number) => ({ x, y: 10, width: 50, height: 50 });

describe('trackFaces', () => {
  it('one track per person across cuts, best frame kept, two faces of one frame never merged', () => {
    const frames: SampledFrame[] = [
      { time: 0, faces: [{ box: box(0), embedding: vector(0), goodness: 0.5 }] },
      { time: 1, faces: [{ box: box(5), embedding: vector(0, 0.1), goodness: 0.9 }, { box: box(200), embedding: vector(3), goodness: 0.4 }] },
      { time: 2, faces: [{ box: box(300), embedding: vector(3, 0.1), goodness: 0.8 }] }, // a cut: A gone
      { time: 3, faces: [{ box: box(100), embedding: vector(0, 0.05), goodness: 0.6 }] }, // A is back elsewhere
    ];
    const tracks = trackFaces(frames, { threshold: 0.13 });
    assert.equal(tracks.length, 2);
    const a = tracks.find((track) => track.members.some(([f, i]) => f === 0 && i === 0))!;
    const b = tracks.find((track) => track !== a)!;
    assert.deepEqual(a.members, [[0, 0], [1, 0], [3, 0]]);
    assert.deepEqual([a.best, a.bestTime], [[1, 0], 1]);
    assert.deepEqual(b.members, [[1, 1], [2, 0]]);
    assert.deepEqual([b.best, b.bestTime], [[2, 0], 2]);
  });

  it('a face continuing a track\'s box may be further in embedding than a new face could be', () => {
    // Squared distance between vector(0) and vector(0, 0.45) is about 0.19: over 0.13, within 0.13 * 1.5.
    const frames: SampledFrame[] = [
      { time: 0, faces: [{ box: box(0), embedding: vector(0), goodness: 1 }] },
      { time: 1, faces: [{ box: box(4), embedding: vector(0, 0.45), goodness: 1 }] },
    ];
    assert.equal(trackFaces(frames, { threshold: 0.13 }).length, 1, 'same place, next frame: one track');
    const moved: SampledFrame[] = [frames[0]!, { time: 1, faces: [{ box: box(300), embedding: vector(0, 0.45), goodness: 1 }] }];
    assert.equal(trackFaces(moved, { threshold: 0.13 }).length, 2, 'elsewhere: two tracks');
  });

  it('no frames, no faces; a bad threshold is refused', () => {
    assert.deepEqual(trackFaces([], { threshold: 0.1 }), []);
    assert.deepEqual(trackFaces([{ time: 0, faces: [] }], { threshold: 0.1 }), []);
    assert.throws(() => trackFaces([], { threshold: 0 }), /threshold/);
  });
});
