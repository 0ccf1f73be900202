/**
 * Where the SSD detector usually puts its box around a face with given landmarks, measured on LFW:
 * 2.45 eye distances wide, 2.6 eye-to-mouth distances tall, centred 0.38 eye-to-mouth below the eyes.
 * The landmark net was trained on such boxes, so a second landmark pass in this box (rather than in a
 * weak detection's box, or a box the user drew) finds the points more precisely.
 */
import type { Box, FiveLandmarks } from '../core/types.ts';

export function typicalFaceBox(landmarks: FiveLandmarks): Box {
  const [leftEye, rightEye, , mouthLeft, mouthRight] = landmarks;
  const eyes = { x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 };
  const mouth = { x: (mouthLeft.x + mouthRight.x) / 2, y: (mouthLeft.y + mouthRight.y) / 2 };
  const eyeDistance = Math.hypot(rightEye.x - leftEye.x, rightEye.y - leftEye.y);
  const eyeToMouth = Math.hypot(mouth.x - eyes.x, mouth.y - eyes.y);
  const width = 2.45 * eyeDistance, height = 2.6 * eyeToMouth;
  const cx = eyes.x, cy = eyes.y + 0.38 * eyeToMouth;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}
