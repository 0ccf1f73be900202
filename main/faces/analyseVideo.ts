/**
 * One video through the face pipeline: sample frames (one per second, at most maxFrames, see library/video.ts),
 * detect and embed the faces of each, track them across frames by embedding and box (library/videoTracks.ts),
 * and keep one face per person: their best frame's, with its time. Boxes are in pixels of the upright video.
 */
import { clusterThresholdFor } from '../../native-models/catalog.ts';
import { chooseDateTaken } from '../library/dates.ts';
import type { DecodeOptions } from '../library/decode.ts';
import { faceThumbnail } from '../library/thumbnail.ts';
import { probeVideo, sampleFrames, VideoError } from '../library/video.ts';
import { trackFaces, type SampledFrame } from '../library/videoTracks.ts';
import type { FiveLandmarks, Point } from '../core/types.ts';
import type { AnalysedPhotoFace, FileAnalysis } from './fileAnalysis.ts';
import type { AnalysedFace, FacePipeline } from './pipeline.ts';
import { stat } from 'node:fs/promises';

/** Frames are detected at this size at most: a video frame is rarely sharper than 720p's detail. */
export const VIDEO_MAX_SIDE = 1280;
/** Used when the embedder has no calibrated clustering threshold (a network trained by `facet train`). */
const FALLBACK_TRACK_THRESHOLD = 0.13;

export async function analyseVideo(pipeline: FacePipeline, file: string, decodeOptions: DecodeOptions = {}): Promise<FileAnalysis> {
  const started = performance.now();
  try {
    const info = await probeVideo(file);
    const maxSide = Math.min(VIDEO_MAX_SIDE, Number.isFinite(decodeOptions.maxSide ?? Infinity) ? decodeOptions.maxSide! : VIDEO_MAX_SIDE);
    const frames = await sampleFrames(file, info, { ...decodeOptions.video, maxSide });
    if (frames.length === 0) return { ok: false, file, reason: 'corrupt', message: `${file}: ffmpeg found no video frames in it` };
    const decodeMs = performance.now() - started;

    let detectMs = 0, describeMs = 0;
    const described: AnalysedFace[][] = [];
    for (const frame of frames) {
      let at = performance.now();
      const detected = await pipeline.detect(frame.image);
      detectMs += performance.now() - at;
      at = performance.now();
      described.push(await pipeline.describe(frame.image, detected));
      describeMs += performance.now() - at;
    }
    const sampled: SampledFrame[] = frames.map((frame, f) => ({
      time: frame.time,
      faces: described[f]!.map((face) => ({ box: face.box, embedding: face.embedding, goodness: face.score * face.quality.overall })),
    }));
    const tracks = trackFaces(sampled, { threshold: trackThreshold(pipeline.embedder.id) });

    const first = frames[0]!.image;
    const width = info.width ?? first.width, height = info.height ?? first.height;
    const toOriginal = width / first.width;
    const thumbnailsStarted = performance.now();
    const faces: AnalysedPhotoFace[] = [];
    for (const track of tracks) {
      const [f, i] = track.best;
      const face = described[f]![i]!;
      faces.push({
        box: { x: face.box.x * toOriginal, y: face.box.y * toOriginal, width: face.box.width * toOriginal, height: face.box.height * toOriginal },
        landmarks: scale(face.landmarks, toOriginal) as FiveLandmarks,
        ...(face.landmarks68 ? { landmarks68: scale(face.landmarks68, toOriginal) } : {}),
        score: face.score,
        quality: face.quality,
        embedding: face.embedding,
        thumbnail: new Uint8Array(await faceThumbnail(frames[f]!.image, face.box)),
        timeSeconds: track.bestTime,
      });
    }
    const date = chooseDateTaken({ quicktime: info.createdAt }, (await stat(file)).mtimeMs);
    return {
      ok: true, file, width, height, format: 'video', kind: 'video',
      ...(info.duration !== undefined ? { durationSeconds: info.duration } : {}),
      takenAt: date.takenAt, dateSource: date.source, faces,
      ms: { decode: decodeMs, detect: detectMs, describe: describeMs, align: 0, embed: 0, thumbnails: performance.now() - thumbnailsStarted },
    };
  } catch (error) {
    if (error instanceof VideoError) return { ok: false, file, reason: error.reason, message: error.message };
    return { ok: false, file, reason: 'analysis-failed', message: `${file}: video analysis failed: ${(error as Error).message}` };
  }
}

function trackThreshold(embedderId: string): number {
  try {
    return clusterThresholdFor(embedderId);
  } catch {
    return FALLBACK_TRACK_THRESHOLD;
  }
}

function scale(points: readonly Point[], factor: number): Point[] {
  return points.map((p) => ({ x: p.x * factor, y: p.y * factor }));
}
