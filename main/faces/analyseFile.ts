/**
 * One photo through the whole face pipeline: decode once (upright, shrunk on load), detect, align,
 * embed, and cut each face's thumbnail from that same decode. Boxes and landmarks come back in
 * pixels of the upright original. Failures are values naming the file, never throws.
 */
import { decodeImage, type DecodedImage, type DecodeOptions } from '../library/decode.ts';
import { faceThumbnail } from '../library/thumbnail.ts';
import { frameAt, isVideoPath, probeVideo, VideoError } from '../library/video.ts';
import type { FacePipeline } from './pipeline.ts';
import { fiveFrom68 } from './detectors.ts';
import { analyseVideo, VIDEO_MAX_SIDE } from './analyseVideo.ts';
import type { Box, FiveLandmarks, Point } from '../core/types.ts';
import type { AnalysedPhotoFace, FileAnalysis } from './fileAnalysis.ts';

export type { AnalysedPhotoFace, FileAnalysis } from './fileAnalysis.ts';

export async function analyseFile(pipeline: FacePipeline, file: string, decodeOptions: DecodeOptions = {}): Promise<FileAnalysis> {
  if (isVideoPath(file)) return analyseVideo(pipeline, file, decodeOptions);
  let started = performance.now();
  const decoded = await decodeImage(file, decodeOptions);
  if (decoded instanceof Error) return { ok: false, file, reason: decoded.reason, message: decoded.message };
  const decodeMs = performance.now() - started;
  try {
    started = performance.now();
    const detected = await pipeline.detect(decoded.image);
    const detectMs = performance.now() - started;
    started = performance.now();
    const { alignMs, embedMs } = pipeline.timings;
    const described = await pipeline.describe(decoded.image, detected);
    const describeMs = performance.now() - started;
    const align = pipeline.timings.alignMs - alignMs;
    const embed = pipeline.timings.embedMs - embedMs;
    started = performance.now();
    const toOriginal = 1 / decoded.scale;
    const faces: AnalysedPhotoFace[] = [];
    for (const face of described) {
      faces.push({
        box: scaleBox(face.box, toOriginal),
        landmarks: scalePoints(face.landmarks, toOriginal) as FiveLandmarks,
        ...(face.landmarks68 ? { landmarks68: scalePoints(face.landmarks68, toOriginal) } : {}),
        score: face.score,
        quality: face.quality,
        embedding: face.embedding,
        thumbnail: new Uint8Array(await faceThumbnail(decoded.image, face.box)),
      });
    }
    return {
      ok: true,
      file,
      width: decoded.originalWidth,
      height: decoded.originalHeight,
      format: decoded.format,
      takenAt: decoded.takenAt,
      dateSource: decoded.dateSource,
      kind: 'photo',
      faces,
      ms: { decode: decodeMs, detect: detectMs, describe: describeMs, align, embed, thumbnails: performance.now() - started },
    };
  } catch (error) {
    return { ok: false, file, reason: 'analysis-failed', message: `${file}: face analysis failed: ${(error as Error).message}` };
  }
}

/**
 * Embeds one face of a photo from known landmarks (in original pixels: the five, or all 68 iBUG
 * points), skipping detection: used when landmarks are cached (evaluation) or drawn by the user.
 * Returns a one-face analysis.
 */
export async function embedFileAt(
  pipeline: FacePipeline, file: string, points: readonly Point[], decodeOptions: DecodeOptions = {}, timeSeconds?: number,
): Promise<FileAnalysis> {
  if (points.length !== 5 && points.length !== 68) throw new Error(`${file}: expected 5 or 68 landmarks, got ${points.length}`);
  const landmarks = points.length === 68 ? fiveFrom68(points) : (points as FiveLandmarks);
  const started = performance.now();
  const decoded = timeSeconds !== undefined && isVideoPath(file) ? await videoFrame(file, timeSeconds) : await decodeImage(file, decodeOptions);
  if (decoded instanceof Error) return { ok: false, file, reason: decoded.reason, message: decoded.message };
  const decodeMs = performance.now() - started;
  const scaled = scalePoints(landmarks, decoded.scale) as FiveLandmarks;
  const scaled68 = points.length === 68 ? scalePoints(points, decoded.scale) : undefined;
  const describeStarted = performance.now();
  const { alignMs, embedMs } = pipeline.timings;
  const [face] = await pipeline.describe(decoded.image, [{ box: boxAround(scaled), score: 1, landmarks: scaled, landmarks68: scaled68 }]);
  const toOriginal = 1 / decoded.scale;
  return {
    ok: true, file, width: decoded.originalWidth, height: decoded.originalHeight, format: decoded.format, takenAt: decoded.takenAt,
    faces: [{
      box: scaleBox(face!.box, toOriginal), landmarks, score: face!.score, quality: face!.quality, embedding: face!.embedding,
      thumbnail: new Uint8Array(0),
    }],
    ms: {
      decode: decodeMs, detect: 0, describe: performance.now() - describeStarted,
      align: pipeline.timings.alignMs - alignMs, embed: pipeline.timings.embedMs - embedMs, thumbnails: 0,
    },
  };
}

/**
 * A video's frame at `seconds`, as the video analysis saw it (longest side at most VIDEO_MAX_SIDE), with its scale
 * from the upright video's pixels, in which its faces' boxes and landmarks are stored.
 */
async function videoFrame(file: string, seconds: number): Promise<Pick<DecodedImage, 'image' | 'scale' | 'originalWidth' | 'originalHeight' | 'format' | 'takenAt'> | VideoError> {
  try {
    const info = await probeVideo(file);
    const image = await frameAt(file, seconds, { maxSide: VIDEO_MAX_SIDE });
    const originalWidth = info.width ?? image.width, originalHeight = info.height ?? image.height;
    return { image, scale: image.width / originalWidth, originalWidth, originalHeight, format: 'video', takenAt: undefined };
  } catch (error) {
    if (error instanceof VideoError) return error;
    throw error;
  }
}

function scalePoints(points: readonly Point[], factor: number): Point[] {
  return points.map((p) => ({ x: p.x * factor, y: p.y * factor }));
}

function scaleBox(box: Box, factor: number): Box {
  return { x: box.x * factor, y: box.y * factor, width: box.width * factor, height: box.height * factor };
}

/** A face box from landmarks alone: the eye-to-mouth span grown to the usual face proportions. */
export function boxAround(landmarks: FiveLandmarks): Box {
  const xs = landmarks.map((p) => p.x), ys = landmarks.map((p) => p.y);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const side = Math.max(maxX - minX, maxY - minY) * 2;
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Finds landmarks inside a box (original pixels) and embeds that face: a face the detector missed. */
export async function embedFileInBox(pipeline: FacePipeline, file: string, box: Box, decodeOptions: DecodeOptions = {}): Promise<FileAnalysis> {
  const started = performance.now();
  const decoded = await decodeImage(file, decodeOptions);
  if (decoded instanceof Error) return { ok: false, file, reason: decoded.reason, message: decoded.message };
  const decodeMs = performance.now() - started;
  const describeStarted = performance.now();
  const [face] = await pipeline.describeBoxes(decoded.image, [scaleBox(box, decoded.scale)]);
  const toOriginal = 1 / decoded.scale;
  return {
    ok: true, file, width: decoded.originalWidth, height: decoded.originalHeight, format: decoded.format, takenAt: decoded.takenAt,
    faces: face ? [{
      box: scaleBox(face.box, toOriginal),
      landmarks: scalePoints(face.landmarks, toOriginal) as FiveLandmarks,
      ...(face.landmarks68 ? { landmarks68: scalePoints(face.landmarks68, toOriginal) } : {}),
      score: face.score, quality: face.quality, embedding: face.embedding,
      thumbnail: new Uint8Array(await faceThumbnail(decoded.image, face.box)),
    }] : [],
    ms: { decode: decodeMs, detect: 0, describe: performance.now() - describeStarted, align: 0, embed: 0, thumbnails: 0 },
  };
}
