/**
 * Canonical five-point templates: where each embedder was trained to see the eyes, nose and mouth.
 */
import type { AlignmentTemplate, FiveLandmarks, Point } from '../core/types.ts';

/**
 * dlib's mean face (dlib/image_transforms/interpolation.h, get_face_chip_details): the average
 * positions of iBUG points 17..67 in a unit square. dlib's face recognition net was trained on chips
 * made by get_face_chip_details(shape, 150, 0.25), so its template is this mean face with 25% padding.
 */
const DLIB_MEAN_FACE_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127,
  0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825,
  0.334606, 0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985,
  0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379,
  0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const DLIB_MEAN_FACE_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454,
  0.203352, 0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758,
  0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233,
  0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805,
  0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
];

/** A point of dlib's mean face by iBUG index (17..67). */
function dlibMeanPoint(index: number): Point {
  return { x: DLIB_MEAN_FACE_X[index - 17]!, y: DLIB_MEAN_FACE_Y[index - 17]! };
}

function meanOf(points: Point[]): Point {
  return {
    x: points.reduce((sum, p) => sum + p.x, 0) / points.length,
    y: points.reduce((sum, p) => sum + p.y, 0) / points.length,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** dlib's mean face reduced to the five landmarks (eye centres as the mean of each eye's six points). */
export function dlibFivePoints(): FiveLandmarks {
  return [
    meanOf(range(36, 41).map(dlibMeanPoint)),
    meanOf(range(42, 47).map(dlibMeanPoint)),
    dlibMeanPoint(30),
    dlibMeanPoint(48),
    dlibMeanPoint(54),
  ];
}

/**
 * The iBUG points dlib aligns a 68-point shape with: 27..67 without the lower lip (55-59, 65-67),
 * which moves with speech, and without the eyebrows (17-26), which move with expression.
 */
export const DLIB_DENSE_INDICES: readonly number[] = range(27, 67).filter((i) => !(i >= 55 && i <= 59) && !(i >= 65 && i <= 67));

/** A template scaled like dlib's padding: p' = (padding + p) / (1 + 2·padding). */
export function paddedTemplate(points: FiveLandmarks, size: number, padding: number, shift: Point = { x: 0, y: 0 }): AlignmentTemplate {
  const scale = (p: Point): Point => ({
    x: (padding + p.x) / (1 + 2 * padding) + shift.x,
    y: (padding + p.y) / (1 + 2 * padding) + shift.y,
  });
  return { size, points: points.map(scale) as FiveLandmarks };
}

/** dlib's own chip layout: the five-point template plus the dense 68-point fit, both padded alike. */
export function dlibTemplate(size: number, padding: number): AlignmentTemplate {
  const five = paddedTemplate(dlibFivePoints(), size, padding);
  const scale = (p: Point): Point => ({ x: (padding + p.x) / (1 + 2 * padding), y: (padding + p.y) / (1 + 2 * padding) });
  return { ...five, dense: { indices: DLIB_DENSE_INDICES, points: DLIB_DENSE_INDICES.map((i) => scale(dlibMeanPoint(i))) } };
}

/**
 * ArcFace / InsightFace's five-point reference for 112×112 crops (eyes, nose tip, mouth corners),
 * used by most MobileFaceNet-family embedders.
 */
export const ARCFACE_112: FiveLandmarks = [
  { x: 38.2946 / 112, y: 51.6963 / 112 },
  { x: 73.5318 / 112, y: 51.5014 / 112 },
  { x: 56.0252 / 112, y: 71.7366 / 112 },
  { x: 41.5493 / 112, y: 92.3655 / 112 },
  { x: 70.7299 / 112, y: 92.2041 / 112 },
];
