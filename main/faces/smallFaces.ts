/**
 * The small-face pass: a detector with a fixed square input (SSD MobileNetV1 sees 512x512) run on the
 * whole image first, then on the tiles of an image pyramid (tiling.ts) when the photo is large enough
 * for faces of `minFace` px to vanish in the whole-image pass; the boxes are merged by non-maximum
 * suppression and the landmarks found once per face, on the image itself.
 */
import { clipToImage } from '../../native-models/faceapi/boxMath.ts';
import type { Box, DetectedFace, FaceDetector, RgbImage } from '../core/types.ts';
import { cropRgb, shrinkArea } from './rgbResize.ts';
import { mergeDetections, planPyramid, toImageBox, touchesInnerEdge, type Candidate, type PyramidLevel, type TilingOptions } from './tiling.ts';

/** A detector that can also return boxes alone and find landmarks in given boxes. */
export interface BoxLocatingDetector extends FaceDetector {
  locate(image: RgbImage): Promise<Candidate[]>;
  landmarksIn(image: RgbImage, boxes: Box[]): Promise<Array<DetectedFace | null>>;
  readonly options: { readonly maxResults: number; readonly inputSize: number };
}

export interface SmallFaceOptions {
  /** Smallest face to find, px of the image given to detect() (default 40). */
  minFace?: number;
  /** Smallest face the detector finds reliably in its input, px (default 30, chosen with `facet bench detect`). */
  detectableFace?: number;
  /** Scale ratio between pyramid levels (default 3). */
  levelRatio?: number;
  /** Overlap of the smaller box above which the less confident of two boxes is dropped (default 0.5). */
  mergeThreshold?: number;
}

export const SMALL_FACE_DEFAULTS: Readonly<Required<SmallFaceOptions>> = { minFace: 40, detectableFace: 30, levelRatio: 3, mergeThreshold: 0.5 };

export interface SmallFaceStats {
  /** Detector passes (whole image + tiles) over all detect() calls. */
  passes: number;
  tiledImages: number;
}

export class SmallFaceDetector implements FaceDetector {
  readonly stats: SmallFaceStats = { passes: 0, tiledImages: 0 };
  readonly settings: Readonly<Required<SmallFaceOptions>>;

  constructor(readonly inner: BoxLocatingDetector, options: SmallFaceOptions = {}) {
    this.settings = { ...SMALL_FACE_DEFAULTS, ...options };
  }

  get id(): string {
    return this.inner.id;
  }

  /** The runtime the wrapped detector runs on ('onnx' for the converted SSD; undefined on tfjs), as doctor reports it. */
  get runtime(): string | undefined {
    return (this.inner as { runtime?: string }).runtime;
  }

  load(): Promise<void> {
    return this.inner.load();
  }

  dispose(): void {
    this.inner.dispose();
  }

  landmarksIn(image: RgbImage, boxes: Box[]): Promise<Array<DetectedFace | null>> {
    return this.inner.landmarksIn(image, boxes);
  }

  /** The tiled levels for an image of this size (empty: the whole-image pass is enough). */
  plan(width: number, height: number): PyramidLevel[] {
    const tiling: TilingOptions = { inputSize: this.inner.options.inputSize, ...this.settings };
    return planPyramid(width, height, tiling);
  }

  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const levels = this.plan(image.width, image.height);
    this.stats.passes++;
    if (levels.length === 0) return this.inner.detect(image);
    this.stats.tiledImages++;
    const inputSize = this.inner.options.inputSize;
    // Whole image first, shrunk to the detector's input by an area filter.
    const wholeScale = Math.min(1, inputSize / Math.max(image.width, image.height));
    const whole = shrinkArea(image, Math.max(1, Math.round(image.width * wholeScale)), Math.max(1, Math.round(image.height * wholeScale)));
    const candidates: Candidate[] = (await this.inner.locate(whole)).map((c) => ({ box: toImageBox(c.box, whole.width / image.width), score: c.score }));
    for (const level of [...levels].reverse()) { // coarse to fine: a face found whole outranks its parts in finer tiles
      const levelImage = shrinkArea(image, level.width, level.height);
      const scale = level.width / image.width;
      for (const tile of level.tiles) {
        this.stats.passes++;
        const found = await this.inner.locate(cropRgb(levelImage, tile.x, tile.y, tile.width, tile.height));
        for (const c of found) {
          const inLevel = { x: c.box.x + tile.x, y: c.box.y + tile.y, width: c.box.width, height: c.box.height };
          if (touchesInnerEdge(inLevel, tile, level.width, level.height)) continue; // cut by the tile: a neighbour sees it whole
          candidates.push({ box: toImageBox(inLevel, scale), score: c.score });
        }
      }
    }
    const merged = mergeDetections(candidates, this.settings.mergeThreshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, this.inner.options.maxResults);
    const landmarks = await this.inner.landmarksIn(image, merged.map((c) => c.box));
    return merged.flatMap((c, i) => {
      const face = landmarks[i];
      return face ? [{ ...face, box: clipToImage(c.box, image.width, image.height), score: c.score }] : [];
    });
  }
}
