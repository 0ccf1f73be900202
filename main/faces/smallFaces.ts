/**
 * The small-face pass: a detector with a fixed square input (SSD MobileNetV1 sees 512x512) run on the
 * whole image first; then, when the photo is large enough for faces of `minFace` px to vanish in that
 * pass, one of two searches for the smaller faces:
 *
 * - 'proposals' (default): BlazeFace (blazeProposals.ts) runs once on the whole photo, shrunk so that
 *   minFace px faces are ~proposalFace px in its input; it misses almost no face but also fires on
 *   shoulders and background, so every proposal the whole-image pass has not found already is verified
 *   by the detector itself: a square crop around it, resized so the face is verifyFace px, packed with
 *   up to 15 others as 128 px cells of one 512 px mosaic (verifyMosaic.ts), one detector pass per
 *   mosaic. A proposal survives only if the detector finds a face in its cell overlapping it (IoU >=
 *   verifyIou); the box kept is the detector's. A 12 MP photo costs the whole-image pass, a BlazeFace
 *   pass (~1.8 SSD passes of multiply-adds, ~5 of time) and usually one mosaic, where the tiles cost 55
 *   passes. Parameters chosen with `facet bench detect --seed 1` (the tuning seed).
 * - 'tiles': the tiles of an image pyramid (tiling.ts), every region searched at every scale.
 *
 * Either way the boxes are merged by non-maximum suppression and the landmarks found once per face, on
 * the image itself. Where onnxruntime cannot load (BlazeFace runs only there), 'proposals' falls back to
 * 'tiles' (strategyInUse says which runs).
 */
import { clipToImage, iou } from '../../native-models/faceapi/boxMath.ts';
import type { Box, DetectedFace, FaceDetector, RgbImage } from '../core/types.ts';
import { loadOnnxRuntime } from '../embed/onnxRuntime.ts';
import { BlazeProposer, proposalLevel } from './blazeProposals.ts';
import { shrinkRgb } from './shrinkRgb.ts';
import { cropRgb, shrinkArea } from './rgbResize.ts';
import { mergeDetections, overlapOfSmaller, planPyramid, toImageBox, touchesInnerEdge, type Candidate, type PyramidLevel, type TilingOptions } from './tiling.ts';
import { checkMosaicOptions, drawMosaic, MOSAIC_DEFAULTS, planMosaics, unpackDetections, type MosaicOptions } from './verifyMosaic.ts';

/** A detector that can also return boxes alone and find landmarks in given boxes. */
export interface BoxLocatingDetector extends FaceDetector {
  locate(image: RgbImage): Promise<Candidate[]>;
  landmarksIn(image: RgbImage, boxes: Box[]): Promise<Array<DetectedFace | null>>;
  readonly options: { readonly maxResults: number; readonly inputSize: number };
}

export type SmallFaceStrategy = 'proposals' | 'tiles';
export const SMALL_FACE_STRATEGIES: readonly SmallFaceStrategy[] = ['proposals', 'tiles'];

export interface SmallFaceOptions {
  /** Smallest face to find, px of the image given to detect() (default 40). */
  minFace?: number;
  /** Smallest face the detector finds reliably in its input, px (default 30, chosen with `facet bench detect`). */
  detectableFace?: number;
  /** Scale ratio between pyramid levels (default 3). */
  levelRatio?: number;
  /** Overlap of the smaller box above which the less confident of two boxes is dropped (default 0.5). */
  mergeThreshold?: number;
  /** How faces below the whole-image pass's reach are searched for (default 'proposals'; see the file comment). */
  strategy?: SmallFaceStrategy;
  /** proposals: px a face of minFace px becomes in BlazeFace's input, which sets its scale (default 16, chosen on seed 1). */
  proposalFace?: number;
  /** proposals: BlazeFace score above which a box is a proposal (default 0.5, chosen on seed 1). */
  proposalScore?: number;
  /** proposals: px the proposal takes in its 128 px mosaic cell (default 45, chosen on seed 1). */
  verifyFace?: number;
  /** proposals: IoU between a detector box in the cell and the proposal that verifies it (default 0.3, chosen on seed 1). */
  verifyIou?: number;
}

export const SMALL_FACE_DEFAULTS: Readonly<Required<SmallFaceOptions>> = {
  minFace: 40, detectableFace: 30, levelRatio: 3, mergeThreshold: 0.5,
  strategy: 'proposals', proposalFace: 16, proposalScore: 0.5, verifyFace: 45, verifyIou: 0.3,
};

export class SmallFaceOptionError extends Error {
  override readonly name = 'SmallFaceOptionError';
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

export interface SmallFaceStats {
  /** Detector passes (whole image + tiles or mosaics) over all detect() calls. */
  passes: number;
  /** Images searched beyond the whole-image pass (by tiles or proposals). */
  tiledImages: number;
  /** BlazeFace passes, and the pixels of their inputs (their multiply-adds are BLAZEFACE_MACS_PER_PIXEL times that). */
  proposalPasses: number;
  proposalInputPixels: number;
  /** Proposals sent to verification (not found by the whole-image pass), and those the detector confirmed. */
  proposals: number;
  verified: number;
  /** Verification mosaics (each one detector pass, counted in `passes` too). */
  mosaics: number;
}

export class SmallFaceDetector implements FaceDetector {
  readonly stats: SmallFaceStats = { passes: 0, tiledImages: 0, proposalPasses: 0, proposalInputPixels: 0, proposals: 0, verified: 0, mosaics: 0 };
  readonly settings: Readonly<Required<SmallFaceOptions>>;
  private readonly mosaic: MosaicOptions;
  private proposer?: BlazeProposer;
  private active: SmallFaceStrategy;

  constructor(readonly inner: BoxLocatingDetector, options: SmallFaceOptions = {}) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SmallFaceOptions;
    this.settings = { ...SMALL_FACE_DEFAULTS, ...given };
    const s = this.settings;
    if (!SMALL_FACE_STRATEGIES.includes(s.strategy)) throw new SmallFaceOptionError(`strategy must be one of ${SMALL_FACE_STRATEGIES.join(', ')}, got ${s.strategy}`, 'strategy');
    if (!(s.proposalFace > 0)) throw new SmallFaceOptionError(`proposalFace must be > 0 px, got ${s.proposalFace}`, 'proposalFace');
    if (!(s.proposalScore > 0 && s.proposalScore < 1)) throw new SmallFaceOptionError(`proposalScore must lie in (0, 1), got ${s.proposalScore}`, 'proposalScore');
    if (!(s.verifyIou > 0 && s.verifyIou <= 1)) throw new SmallFaceOptionError(`verifyIou must lie in (0, 1], got ${s.verifyIou}`, 'verifyIou');
    this.mosaic = { ...MOSAIC_DEFAULTS, faceInCell: s.verifyFace };
    try {
      checkMosaicOptions(this.mosaic);
    } catch (error) {
      throw new SmallFaceOptionError(`verifyFace: ${(error as Error).message}`, 'verifyFace');
    }
    this.active = s.strategy;
  }

  get id(): string {
    return this.inner.id;
  }

  /** The runtime the wrapped detector runs on ('onnx' for the converted SSD; undefined on tfjs), as doctor reports it. */
  get runtime(): string | undefined {
    return (this.inner as { runtime?: string }).runtime;
  }

  /** The search that runs: settings.strategy, unless 'proposals' fell back to 'tiles' for want of onnxruntime. */
  get strategyInUse(): SmallFaceStrategy {
    return this.active;
  }

  async load(): Promise<void> {
    await this.inner.load();
    await this.loadProposer();
  }

  /** BlazeFace for 'proposals' (also on first use, for callers that loaded only the inner detector). */
  private async loadProposer(): Promise<void> {
    if (this.settings.strategy !== 'proposals' || this.proposer) return;
    if ((await loadOnnxRuntime()) instanceof Error) {
      this.active = 'tiles';
      return;
    }
    const proposer = new BlazeProposer();
    await proposer.load(); // a missing or damaged model file throws, naming the file
    this.proposer = proposer;
    this.active = 'proposals';
  }

  dispose(): void {
    this.inner.dispose();
    this.proposer?.dispose();
    this.proposer = undefined;
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
    await this.loadProposer();
    this.stats.tiledImages++;
    const inputSize = this.inner.options.inputSize;
    // The proposer's level, shrunk from the photo once: it also feeds the whole-image pass and the mosaics' large crops.
    const s = this.settings;
    const proposalScale = Math.min(1, s.proposalFace / s.minFace);
    const level = this.active === 'proposals' ? await proposalLevel(image, proposalScale) : undefined;
    // Whole image first, shrunk to the detector's input by an area filter.
    const wholeScale = Math.min(1, inputSize / Math.max(image.width, image.height));
    const wholeWidth = Math.max(1, Math.round(image.width * wholeScale)), wholeHeight = Math.max(1, Math.round(image.height * wholeScale));
    const whole = level && level.width >= wholeWidth && level.height >= wholeHeight ? await shrinkRgb(level, wholeWidth, wholeHeight) : shrinkArea(image, wholeWidth, wholeHeight);
    const candidates: Candidate[] = (await this.inner.locate(whole)).map((c) => ({ box: toImageBox(c.box, whole.width / image.width), score: c.score }));
    const found = level ? await this.verifiedProposals(image, level, candidates) : await this.tiled(image, levels);
    const merged = mergeDetections([...candidates, ...found], s.mergeThreshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, this.inner.options.maxResults);
    const landmarks = await this.inner.landmarksIn(image, merged.map((c) => c.box));
    return merged.flatMap((c, i) => {
      const face = landmarks[i];
      return face ? [{ ...face, box: clipToImage(c.box, image.width, image.height), score: c.score }] : [];
    });
  }

  /** The pyramid's tiles, coarse to fine (a face found whole outranks its parts in finer tiles); boxes in image px. */
  private async tiled(image: RgbImage, levels: PyramidLevel[]): Promise<Candidate[]> {
    const candidates: Candidate[] = [];
    for (const level of [...levels].reverse()) {
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
    return candidates;
  }

  /** BlazeFace's proposals that the whole-image pass did not find, each verified in a mosaic cell; the detector's boxes, best first. */
  private async verifiedProposals(image: RgbImage, level: RgbImage, whole: readonly Candidate[]): Promise<Candidate[]> {
    const proposer = this.proposer!; // loaded by detect()
    const s = this.settings;
    const run = await proposer.propose(level, image.width, image.height, { minScore: s.proposalScore });
    this.stats.proposalPasses++;
    this.stats.proposalInputPixels += run.inputPixels;
    const unfound = run.proposals
      .filter((p) => whole.every((c) => overlapOfSmaller(p.box, c.box) <= s.mergeThreshold))
      .slice(0, this.inner.options.maxResults);
    this.stats.proposals += unfound.length;
    const verified: Candidate[] = [];
    for (const plan of planMosaics(unfound.map((p) => p.box), this.mosaic)) {
      this.stats.passes++;
      this.stats.mosaics++;
      const sources = [{ image, scale: 1 }, { image: level, scale: level.width / image.width }];
      const found = await this.inner.locate(drawMosaic(sources, plan, this.mosaic.cellSize));
      // Per proposal, the detector's best box in its cell that overlaps it.
      const best = new Map<number, Candidate>();
      for (const d of unpackDetections(plan, found, this.mosaic.cellSize)) {
        if (iou(d.box, unfound[d.proposal]!.box) < s.verifyIou) continue;
        const kept = best.get(d.proposal);
        if (!kept || d.score > kept.score) best.set(d.proposal, { box: d.box, score: d.score });
      }
      verified.push(...best.values());
    }
    this.stats.verified += verified.length;
    return verified.sort((a, b) => b.score - a.score);
  }
}
