/**
 * Face proposals from MediaPipe's BlazeFace back-camera model (native-models/onnx/blazefaceOnnx.ts),
 * run once on the whole photo shrunk so that the smallest faces wanted are ~16 px: 5.8 GMAC for a
 * 12 MP photo at 0.4, under two SSD passes of work (though onnxruntime runs its thin layers at about a
 * third of SSD's multiply-adds per second, so it takes as long as five or six), and it misses almost no
 * face; but on real scenes half its boxes are not faces, so the small-face pass (smallFaces.ts) has SSD
 * verify each one.
 *
 * Anchors follow MediaPipe's SsdAnchorsCalculator for this model (face_detection_back: 4 layers of
 * strides 16, 32, 32, 32, two anchors each (aspect 1 and the interpolated scale), fixed anchor size,
 * offset 0.5): layers of equal stride share one feature map, so a cell of the stride-16 map has 2
 * anchors and one of the stride-32 map 6, all centred on the cell. On a 256x256 input that is
 * 16·16·2 + 8·8·6 = 896; on H x W (multiples of 32) the maps are H/16 x W/16 and H/32 x W/32.
 * Decoding is TensorsToDetectionsCalculator's with x/y/w/h scale 256 on a 256 px input: the
 * regressors are offsets and sizes in input pixels, which a fully convolutional net keeps at any size.
 */
import { greedyNonMaxSuppression } from '../../native-models/faceapi/boxMath.ts';
import { BLAZEFACE_STRIDE_MULTIPLE } from '../../native-models/onnx/blazefaceOnnx.ts';
import { openOnnxModel, type OnnxRuntime, type OnnxSession } from '../embed/onnxRuntime.ts';
import type { RgbImage } from '../core/types.ts';
import { shrinkRgb } from './shrinkRgb.ts';
import { cropRgb } from './rgbResize.ts';
import type { Candidate } from './tiling.ts';

export interface AnchorLayer {
  /** Input pixels per feature-map cell. */
  stride: number;
  anchorsPerCell: number;
}

/** MediaPipe face_detection_back's anchor layers: strides 16, 32, 32, 32, two anchors each. */
export const MEDIAPIPE_BACK_STRIDES: readonly number[] = [16, 32, 32, 32];
const ANCHORS_PER_LAYER = 2;

/** SsdAnchorsCalculator's grouping: consecutive layers of one stride share a feature map and pool their anchors. */
export function anchorLayers(strides: readonly number[] = MEDIAPIPE_BACK_STRIDES, anchorsPerLayer = ANCHORS_PER_LAYER): AnchorLayer[] {
  const layers: AnchorLayer[] = [];
  for (const stride of strides) {
    const last = layers[layers.length - 1];
    if (last && last.stride === stride) last.anchorsPerCell += anchorsPerLayer;
    else layers.push({ stride, anchorsPerCell: anchorsPerLayer });
  }
  return layers;
}

export const BLAZEFACE_BACK_LAYERS: readonly AnchorLayer[] = anchorLayers();

/**
 * Multiply-adds per input pixel of the converted blazeface-back (fully convolutional: a pass costs this
 * times H·W), as blazefaceOnnx.ts counts them: the model's 0.189 GMAC at 256x256 and its two channel
 * pads emitted as 1x1 convolutions (+1.2%). blazefaceOnnx.test.ts checks the figure.
 */
export const BLAZEFACE_MACS_PER_PIXEL = 2916.09375;

/** Anchor centres in input pixels, [x0, y0, x1, y1, ...], in the graph's output order (map by map, row-major, anchors of a cell together). */
export function blazeAnchors(width: number, height: number, layers: readonly AnchorLayer[] = BLAZEFACE_BACK_LAYERS): Float32Array {
  const count = layers.reduce((sum, l) => sum + Math.ceil(width / l.stride) * Math.ceil(height / l.stride) * l.anchorsPerCell, 0);
  const centres = new Float32Array(count * 2);
  let at = 0;
  for (const { stride, anchorsPerCell } of layers) {
    const rows = Math.ceil(height / stride), cols = Math.ceil(width / stride);
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < cols; col++) {
        for (let a = 0; a < anchorsPerCell; a++) {
          centres[at++] = (col + 0.5) * stride;
          centres[at++] = (row + 0.5) * stride;
        }
      }
    }
  }
  return centres;
}

/** MediaPipe clips logits to ±100 before the sigmoid (score_clipping_thresh). */
const sigmoid = (logit: number) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, logit))));

/**
 * Boxes (input px) and scores of the anchors scoring above minScore. regressors [N, 16]: centre offset
 * x, y and width, height (then keypoints, unused); classificators [N]: logits; anchors from blazeAnchors.
 */
export function decodeBlazeface(regressors: Float32Array, classificators: Float32Array, anchors: Float32Array, minScore: number): Candidate[] {
  const count = classificators.length;
  if (regressors.length !== count * 16 || anchors.length !== count * 2) {
    throw new Error(`blazeface-back: ${count} logits, ${regressors.length / 16} regressor rows and ${anchors.length / 2} anchors do not agree`);
  }
  const out: Candidate[] = [];
  for (let i = 0; i < count; i++) {
    const score = sigmoid(classificators[i]!);
    if (!(score > minScore)) continue;
    const r = i * 16;
    const cx = regressors[r]! + anchors[i * 2]!, cy = regressors[r + 1]! + anchors[i * 2 + 1]!;
    const w = regressors[r + 2]!, h = regressors[r + 3]!;
    if (!(w > 0 && h > 0)) continue;
    out.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score });
  }
  return out;
}

/** Greedy NMS (IoU above `threshold` to a better box drops a box), best first. */
export function suppress(candidates: readonly Candidate[], threshold: number): Candidate[] {
  const kept = greedyNonMaxSuppression(candidates.map((c) => c.box), candidates.map((c) => c.score), threshold);
  return kept.map((i) => candidates[i]!);
}

/** The image's size at `scale`, rounded up to the net's stride multiple (the padding goes bottom/right). */
export function paddedInputSize(width: number, height: number): { width: number; height: number } {
  const up = (v: number) => Math.max(BLAZEFACE_STRIDE_MULTIPLE, Math.ceil(v / BLAZEFACE_STRIDE_MULTIPLE) * BLAZEFACE_STRIDE_MULTIPLE);
  return { width: up(width), height: up(height) };
}

/** The image copied into the top-left corner of a black width x height canvas. */
export function padBottomRight(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  if (width < image.width || height < image.height) throw new RangeError(`padBottomRight: ${image.width}x${image.height} does not fit ${width}x${height}`);
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < image.height; row++) data.set(image.data.subarray(row * image.width * 3, (row + 1) * image.width * 3), row * width * 3);
  return { data, width, height };
}

export interface ProposalOptions {
  /** Keep anchors scoring above this (default 0.5). */
  minScore?: number;
  /** NMS IoU (default 0.3, MediaPipe's min_suppression_threshold). */
  nmsIou?: number;
}

export interface ProposalRun {
  /** Boxes in image pixels, best first. */
  proposals: Candidate[];
  /** The padded net input, px (its multiply-adds are BLAZEFACE_MACS_PER_PIXEL times this). */
  inputPixels: number;
}

/** The image shrunk by libvips to `scale` (<= 1) of its size: the proposer's input before padding. */
export async function proposalLevel(image: RgbImage, scale: number): Promise<RgbImage> {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`proposal scale must lie in (0, 1], got ${scale}`);
  return shrinkRgb(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
}

/**
 * Level rows per BlazeFace run: a 12 MP photo's level (1613x1210 at 0.4) runs as three strips, not one,
 * because onnxruntime's arena keeps the largest run's feature maps for the session's life (about 134 bytes
 * for each input pixel: 267 MB per worker for the whole level, against the 1.5 GB for a whole scan),
 * and a strip needs a third of that.
 */
export const PROPOSAL_STRIP_ROWS = 384;
/**
 * Level columns per BlazeFace run, for the same reason: a strip wider than this plus the overlap is cut into
 * columns that share PROPOSAL_STRIP_OVERLAP columns. A 12 MP level's strips run as 960 and 800 columns instead
 * of 1664: the arena's largest run goes from 114 to 66 MB per worker for 6% more pixels (measured on 512-row runs).
 */
export const PROPOSAL_TILE_COLUMNS = 832;
/**
 * Rows neighbouring strips share: more than the largest face a proposal is needed for (the whole-image SSD
 * pass finds faces from about 236 px of a 4032 px photo, 95 px at 0.4), so a face cut by one strip's inner
 * edge lies whole in the next and the cut box is dropped. A multiple of the net's stride.
 */
export const PROPOSAL_STRIP_OVERLAP = 128;

/**
 * Spans of a level's rows (or columns) `length` long, each starting `step` after the last and running `overlap`
 * further, so that neighbours share `overlap`: the strips (PROPOSAL_STRIP_ROWS) and columns (PROPOSAL_TILE_COLUMNS)
 * BlazeFace runs on.
 */
export function proposalSpans(length: number, step = PROPOSAL_STRIP_ROWS, overlap = PROPOSAL_STRIP_OVERLAP): Array<{ start: number; size: number }> {
  if (!(step > 0 && overlap >= 0)) throw new RangeError(`span step must be > 0 and overlap >= 0, got ${step} and ${overlap}`);
  const spans: Array<{ start: number; size: number }> = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(length, start + step + overlap);
    spans.push({ start, size: end - start });
    if (end >= length) return spans;
  }
}

/** blazeface-back on onnxruntime: a level of the image in (proposalLevel), proposals in image pixels out. */
export class BlazeProposer {
  readonly id = 'blazeface-back';
  private session?: { runtime: OnnxRuntime; session: OnnxSession };

  constructor(private readonly threads?: number) {}

  async load(): Promise<void> {
    if (this.session) return;
    // The shared session settings (onnxRuntime.ts): without onnxruntime's memory pattern, which would plan one block
    // for every activation of the largest input seen; the arena stays (without it each run re-faults its feature
    // maps, +45% time).
    const { runtime, session } = await openOnnxModel(this.id, { threads: this.threads });
    this.session = { runtime, session };
  }

  /** Proposals in `level`, an image of imageWidth x imageHeight shrunk; boxes mapped back to the image's pixels. */
  async propose(level: RgbImage, imageWidth: number, imageHeight: number, options: ProposalOptions = {}): Promise<ProposalRun> {
    const model = this.session;
    if (!model) throw new Error(`proposer ${this.id} used before load() or after dispose()`);
    const found: Candidate[] = [];
    let inputPixels = 0;
    const columns = proposalSpans(level.width, PROPOSAL_TILE_COLUMNS);
    for (const strip of proposalSpans(level.height)) {
      for (const column of columns) {
        const tile = cropRgb(level, column.start, strip.start, column.size, strip.size);
        const padded = paddedInputSize(tile.width, tile.height);
        const input = padBottomRight(tile, padded.width, padded.height);
        inputPixels += input.width * input.height;
        const out = await model.session.run({ image: new model.runtime.Tensor('uint8', input.data, [1, input.height, input.width, 3]) });
        const inTile = decodeBlazeface(out.regressors!.data as Float32Array, out.classificators!.data as Float32Array, blazeAnchors(input.width, input.height), options.minScore ?? 0.5);
        const top = strip.start > 0, bottom = strip.start + strip.size < level.height;
        const left = column.start > 0, right = column.start + column.size < level.width;
        for (const { box, score } of inTile) {
          // Cut by an inner edge of the tile: the neighbour holds that face whole.
          if ((top && box.y <= 1) || (bottom && box.y + box.height >= tile.height - 1)) continue;
          if ((left && box.x <= 1) || (right && box.x + box.width >= tile.width - 1)) continue;
          found.push({ box: { ...box, x: box.x + column.start, y: box.y + strip.start }, score });
        }
      }
    }
    const sx = level.width / imageWidth, sy = level.height / imageHeight;
    const proposals = suppress(found.sort((a, b) => b.score - a.score), options.nmsIou ?? 0.3)
      .map(({ box, score }) => ({ box: { x: box.x / sx, y: box.y / sy, width: box.width / sx, height: box.height / sy }, score }));
    return { proposals, inputPixels };
  }

  dispose(): void {
    void this.session?.session.release();
    this.session = undefined;
  }
}
