/**
 * dlib's ResNet on onnxruntime: the same network as the tfjs DlibResnetEmbedder (converted from the
 * same verified weights, see native-models/onnx/), the same crops, flip averaging and normalisation,
 * so its vectors match the tfjs ones to about 1e-6 and can be stored under the same embedder id.
 * With precision 'int8' it runs the quantized graph (native-models/onnx/quantize.ts) instead.
 */
import { catalogEntry, type CatalogEntry } from '../../native-models/catalog.ts';
import { DLIB_INPUT_SIZE } from '../../native-models/onnx/dlibResnetOnnx.ts';
import { dlibTemplate } from '../faces/templates.ts';
import type { AlignmentTemplate, FaceEmbedder, RgbImage } from '../core/types.ts';
import type { Precision } from '../../native-models/onnx/quantize.ts';
import { openOnnxModel, type OnnxModel } from './onnxRuntime.ts';

/**
 * Faces per session run: bounds memory on crowded photos (each face is 150·150·3 floats, twice with flip, and
 * onnxruntime's arena keeps the largest batch's feature maps): 8 held ~150 MB less than 32 over a scan of 12 MP
 * group photos on two workers, at the same ms per face.
 */
const MAX_BATCH = 8;

export class OnnxDlibResnetEmbedder implements FaceEmbedder {
  readonly id = 'dlib-resnet';
  readonly runtime = 'onnx';
  readonly entry: CatalogEntry = catalogEntry('dlib-resnet', 'embedder');
  readonly template: AlignmentTemplate = dlibTemplate(DLIB_INPUT_SIZE, 0.25);
  private model?: OnnxModel;

  constructor(private readonly options: { flip?: boolean; threads?: number; precision?: Precision; graph?: Uint8Array } = {}) {}

  get dimensions(): number {
    return this.entry.outputSize;
  }

  get precision(): Precision {
    return this.options.precision ?? 'fp32';
  }

  async load(): Promise<void> {
    this.model ??= await openOnnxModel(this.id, { threads: this.options.threads, precision: this.precision, graph: this.options.graph });
  }

  async embed(crops: RgbImage[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < crops.length; start += MAX_BATCH) out.push(...(await this.embedBatch(crops.slice(start, start + MAX_BATCH))));
    return out;
  }

  private async embedBatch(crops: RgbImage[]): Promise<Float32Array[]> {
    if (!this.model) throw new Error('dlib-resnet (onnx): load() before embed()');
    if (crops.length === 0) return [];
    const flip = this.options.flip ?? false;
    const size = DLIB_INPUT_SIZE;
    const count = crops.length;
    const rows = flip ? 2 * count : count;
    const input = new Float32Array(rows * size * size * 3); // [rows, 150, 150, 3]: crops, then their mirrors
    crops.forEach((crop, i) => {
      if (crop.width !== size || crop.height !== size) throw new Error(`embedder expects ${size}x${size} crops, got ${crop.width}x${crop.height}`);
      input.set(crop.data, i * size * size * 3);
      if (flip) mirrorInto(crop.data, input, (count + i) * size * size * 3, size);
    });
    const { runtime, session } = this.model;
    const result = await session.run({ input: new runtime.Tensor('float32', input, [rows, size, size, 3]) });
    const raw = result.descriptor!.data as Float32Array; // [rows, 128]
    const dim = this.dimensions;
    return crops.map((_, i) => {
      const vector = raw.slice(i * dim, (i + 1) * dim);
      if (flip) for (let k = 0; k < dim; k++) vector[k]! += raw[(count + i) * dim + k]!;
      let norm = 0;
      for (let k = 0; k < dim; k++) norm += vector[k]! * vector[k]!;
      const scale = 1 / (Math.sqrt(norm) + 1e-12);
      for (let k = 0; k < dim; k++) vector[k]! *= scale;
      return vector;
    });
  }

  dispose(): void {
    void this.model?.session.release();
    this.model = undefined;
  }
}

/** Writes the left-right mirror of a size×size RGB crop into `out` at `offset`. */
function mirrorInto(data: Uint8Array, out: Float32Array, offset: number, size: number): void {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + (size - 1 - x)) * 3;
      const to = offset + (y * size + x) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
}
