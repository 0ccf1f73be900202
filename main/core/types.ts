/**
 * Shared value types of the face pipeline. Pure data: no tfjs, no I/O.
 * Coordinates are in pixels of the image they were measured on, origin top-left.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The five landmarks every detector reports, always in this order
 * (left/right as seen in the image, not the subject's own left/right):
 * 0 left eye centre, 1 right eye centre, 2 nose tip, 3 left mouth corner, 4 right mouth corner.
 */
export type FiveLandmarks = [Point, Point, Point, Point, Point];

/** An 8-bit RGB image, rows top to bottom, pixels interleaved: data.length === width * height * 3. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface DetectedFace {
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
  landmarks: FiveLandmarks;
  /** The full 68-point iBUG layout where the landmark model provides it (used for finer alignment). */
  landmarks68?: Point[];
}

/** Every model sits behind a small interface with load() and dispose(). */
export interface ModelLifecycle {
  readonly id: string;
  load(): Promise<void>;
  dispose(): void;
}

export interface FaceDetector extends ModelLifecycle {
  /** Faces in the image, boxes and landmarks in the image's own pixels. */
  detect(image: RgbImage): Promise<DetectedFace[]>;
  /**
   * Landmarks inside boxes found some other way (drawn by the user, or a fallback crop); null where
   * a box has no pixel inside the image. Scores are 0: nothing was detected.
   */
  landmarksIn?(image: RgbImage, boxes: Box[]): Promise<Array<DetectedFace | null>>;
}

/**
 * Where an embedder expects the five landmarks to sit in its square input crop,
 * as fractions of the crop side (0..1), in FiveLandmarks order.
 */
export interface AlignmentTemplate {
  size: number;
  points: FiveLandmarks;
  /**
   * Where the embedder expects a larger set of iBUG-68 points (fractions of the crop side), used
   * instead of the five when the detector reports all 68: more points average out landmark noise.
   * dlib fits its chips this way (get_face_chip_details on a 68-point shape).
   */
  dense?: { indices: readonly number[]; points: readonly Point[] };
}

export interface FaceEmbedder extends ModelLifecycle {
  readonly dimensions: number;
  readonly template: AlignmentTemplate;
  /** crops: aligned RGB crops of template.size x template.size. Returns L2-normalised vectors. */
  embed(crops: RgbImage[]): Promise<Float32Array[]>;
}

/** Where a photo's date taken came from, most trusted first; 'file' is the file's modification time (a guess). */
export type DateSource = 'exif' | 'xmp' | 'quicktime' | 'file';

/** A library item: a still photo (JPEG, PNG, HEIC, a RAW's preview...) or a video whose frames were sampled. */
export type MediaKind = 'photo' | 'video';
