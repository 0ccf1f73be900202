/**
 * Faces found in a video's sampled frames, grouped into one track per person, so that a person appears once per
 * video, at their best frame. Pure: arrays in, arrays out.
 *
 * A face joins the track whose faces are closest on average (squared L2 between unit embeddings, the clustering
 * metric) when that distance is within `threshold`, or within `threshold * continuityFactor` when its box also
 * overlaps the box the track had in the previous sampled frame (the same face, moving a little, seen at another
 * angle). Two faces of one frame never join one track. Tracks are then merged by average linkage within
 * `threshold` when they never share a frame: a person who leaves and comes back after a cut is one track.
 */
import type { Box } from '../core/types.ts';

export interface FrameFace {
  box: Box;
  /** Unit vector. */
  embedding: Float32Array;
  /** Higher is a better face to show and to keep (detection score times quality, say). */
  goodness: number;
}

export interface SampledFrame {
  /** Seconds from the start of the video. */
  time: number;
  faces: FrameFace[];
}

export interface TrackOptions {
  /** Squared L2 distance within which two faces are one person (the embedder's clustering threshold). */
  threshold: number;
  /** How much further a face may be when its box continues the track's box from the previous frame (default 1.5). */
  continuityFactor?: number;
  /** Box IoU that counts as continuing (default 0.3). */
  minOverlap?: number;
}

export interface FaceTrack {
  /** [frame index, face index in that frame] of every face in the track, in time order. */
  members: Array<[number, number]>;
  /** The member with the highest goodness. */
  best: [number, number];
  /** Time of the best member, seconds. */
  bestTime: number;
}

export function trackFaces(frames: readonly SampledFrame[], options: TrackOptions): FaceTrack[] {
  const { threshold, continuityFactor = 1.5, minOverlap = 0.3 } = options;
  if (!(threshold > 0)) throw new RangeError(`trackFaces: threshold must be positive, got ${threshold}`);
  const tracks: Array<Array<[number, number]>> = [];
  const embeddingOf = ([f, i]: [number, number]) => frames[f]!.faces[i]!.embedding;

  frames.forEach((frame, f) => {
    const taken = new Set<number>();
    // Most confident faces pick first.
    const order = frame.faces.map((_, i) => i).sort((a, b) => frame.faces[b]!.goodness - frame.faces[a]!.goodness);
    for (const i of order) {
      const face = frame.faces[i]!;
      let bestTrack = -1, bestScore = Infinity;
      tracks.forEach((track, t) => {
        if (taken.has(t)) return;
        const distance = meanDistance(face.embedding, track.map(embeddingOf));
        const last = track[track.length - 1]!;
        const continues = last[0] === f - 1 && iou(frames[last[0]]!.faces[last[1]]!.box, face.box) >= minOverlap;
        const limit = continues ? threshold * continuityFactor : threshold;
        // Compared relative to each track's own limit, so a continuing track wins a near tie.
        if (distance <= limit && distance / limit < bestScore) {
          bestScore = distance / limit;
          bestTrack = t;
        }
      });
      if (bestTrack < 0) {
        tracks.push([[f, i]]);
        taken.add(tracks.length - 1);
      } else {
        tracks[bestTrack]!.push([f, i]);
        taken.add(bestTrack);
      }
    }
  });

  return mergeTracks(tracks, embeddingOf, threshold).map((members) => {
    members.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const best = members.reduce((a, b) => (frames[b[0]]!.faces[b[1]]!.goodness > frames[a[0]]!.faces[a[1]]!.goodness ? b : a));
    return { members, best, bestTime: frames[best[0]]!.time };
  });
}

/** Average linkage over tracks that never share a frame, closest pair first, until none is within threshold. */
function mergeTracks(tracks: Array<Array<[number, number]>>, embeddingOf: (m: [number, number]) => Float32Array, threshold: number): Array<Array<[number, number]>> {
  const live = tracks.map((track) => [...track]);
  for (;;) {
    let pair: [number, number] | undefined, closest = Infinity;
    for (let a = 0; a < live.length; a++) {
      for (let b = a + 1; b < live.length; b++) {
        const framesA = new Set(live[a]!.map(([f]) => f));
        if (live[b]!.some(([f]) => framesA.has(f))) continue;
        const distance = averageLinkage(live[a]!.map(embeddingOf), live[b]!.map(embeddingOf));
        if (distance <= threshold && distance < closest) {
          closest = distance;
          pair = [a, b];
        }
      }
    }
    if (!pair) return live;
    live[pair[0]]!.push(...live[pair[1]]!);
    live.splice(pair[1], 1);
  }
}

function meanDistance(vector: Float32Array, others: Float32Array[]): number {
  return others.reduce((sum, other) => sum + squaredDistance(vector, other), 0) / others.length;
}

function averageLinkage(a: Float32Array[], b: Float32Array[]): number {
  return a.reduce((sum, vector) => sum + meanDistance(vector, b), 0) / a.length;
}

/** Squared L2 of two unit vectors: 2 - 2 dot. */
function squaredDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let d = 0; d < a.length; d++) dot += a[d]! * b[d]!;
  return 2 - 2 * dot;
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}
