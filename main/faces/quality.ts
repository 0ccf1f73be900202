/**
 * A face's fitness for recognition, from three cues that each fall in [0, 1]:
 * size (pixels between the eyes), sharpness (variance of the Laplacian of the aligned crop's luma),
 * and pose (how far the nose sits off the eye midline: a proxy for yaw). Pure functions.
 */
import type { FiveLandmarks, RgbImage } from '../core/types.ts';

export interface FaceQuality {
  /** Geometric mean of the three cues. */
  overall: number;
  size: number;
  sharpness: number;
  pose: number;
  /** Raw figures behind the cues, for display and thresholds. */
  eyeDistancePx: number;
  laplacianVariance: number;
  yaw: number;
}

/** Eye distance at which a face counts as fully sized: ~40 px between the eyes is a ~100 px face. */
const FULL_EYE_DISTANCE = 40;
/** Laplacian variance (8-bit luma) above which a crop counts as sharp. */
const SHARP_VARIANCE = 150;

export function laplacianVariance(image: RgbImage): number {
  const { width, height, data } = image;
  if (width < 3 || height < 3) return 0;
  const luma = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    luma[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
  }
  let sum = 0, sumSquares = 0, count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const value = luma[i - width]! + luma[i + width]! + luma[i - 1]! + luma[i + 1]! - 4 * luma[i]!;
      sum += value;
      sumSquares += value * value;
      count++;
    }
  }
  const mean = sum / count;
  return sumSquares / count - mean * mean;
}

/** Yaw proxy in [-1, 1]: the nose's horizontal offset from the eye midpoint, in half eye distances. */
export function yawProxy(landmarks: FiveLandmarks): number {
  const [left, right, nose] = landmarks;
  const eyeDx = right.x - left.x, eyeDy = right.y - left.y;
  const eyeDistance = Math.hypot(eyeDx, eyeDy);
  if (eyeDistance === 0) return 1;
  const midX = (left.x + right.x) / 2, midY = (left.y + right.y) / 2;
  // Project the nose offset on the eye axis, so in-plane roll does not read as yaw.
  const along = ((nose.x - midX) * eyeDx + (nose.y - midY) * eyeDy) / eyeDistance;
  return Math.max(-1, Math.min(1, along / (eyeDistance / 2)));
}

export function assessQuality(landmarks: FiveLandmarks, alignedCrop: RgbImage): FaceQuality {
  const [left, right] = landmarks;
  const eyeDistancePx = Math.hypot(right.x - left.x, right.y - left.y);
  const variance = laplacianVariance(alignedCrop);
  const yaw = yawProxy(landmarks);
  const size = Math.min(1, eyeDistancePx / FULL_EYE_DISTANCE);
  const sharpness = Math.min(1, variance / SHARP_VARIANCE);
  const pose = Math.max(0, 1 - Math.abs(yaw));
  return {
    overall: Math.cbrt(size * sharpness * pose),
    size,
    sharpness,
    pose,
    eyeDistancePx,
    laplacianVariance: variance,
    yaw,
  };
}
