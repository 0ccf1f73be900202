/**
 * The real FaceAnalyser: detection and embedding run on a one-worker AnalysisPool (off the main thread);
 * the 68-point landmark net for a drawn box runs here, on one small crop. Models load on first use and the
 * pool is rebuilt when the user picks another detector or embedder.
 */
import { initBackend, activeBackend } from '../../embed/backend.ts';
import { AnalysisPool } from '../../faces/analysisPool.ts';
import { fiveFrom68 } from '../../faces/detectors.ts';
import type { FiveLandmarks } from '../../core/types.ts';
import { decodeImage } from '../../library/decode.ts';
import { faceThumbnail } from '../../library/thumbnail.ts';
import { FaceLandmark68Net } from '../../../native-models/faceapi/landmark68.ts';
import type { Box } from '../contract.ts';
import type { PrecisionMode } from '../../embed/precision.ts';
import { RequestError } from '../errors.ts';
import type { AnalysedFace, DescribedBox, FaceAnalyser } from './faceAnalyser.ts';

export interface PoolFaceAnalyserOptions {
  detectorId: () => string;
  embedderId: () => string;
  /** The library's precision setting (undefined: FACET_PRECISION, else the default), as scans use it. */
  precision?: () => PrecisionMode | undefined;
}

export class PoolFaceAnalyser implements FaceAnalyser {
  #pool: Promise<AnalysisPool> | undefined;
  #poolKey = '';
  #landmarks: FaceLandmark68Net | undefined;

  constructor(private readonly options: PoolFaceAnalyserOptions) {}

  get embedderId(): string {
    return this.options.embedderId();
  }

  backend(): string | null {
    return activeBackend() ?? null;
  }

  async findFaces(file: string): Promise<AnalysedFace[]> {
    const result = await (await this.#getPool()).analyse(file);
    if (!result.ok) throw new RequestError('image', result.message);
    return result.faces.map((face) => ({ box: face.box, embedding: face.embedding, quality: face.quality.overall }));
  }

  async describeBox(file: string, box: Box): Promise<DescribedBox> {
    const decoded = await decodeImage(file);
    if (decoded instanceof Error) throw new RequestError('photoId', decoded.message);
    const { scale, image } = decoded;
    const scaled = { x: box.x * scale, y: box.y * scale, width: box.width * scale, height: box.height * scale };
    const net = await this.#landmarkNet();
    const [points] = await net.detectLandmarks(image, [scaled]);
    if (!points) throw new RequestError('box', 'the box lies outside the photo');
    const landmarks = fiveFrom68(points).map((p) => ({ x: p.x / scale, y: p.y / scale })) as FiveLandmarks;
    const thumbnail = new Uint8Array(await faceThumbnail(image, scaled));
    const result = await (await this.#getPool()).embedAt(file, landmarks);
    if (!result.ok) throw new RequestError('photoId', result.message);
    const face = result.faces[0]!;
    return { landmarks, embedding: face.embedding, quality: face.quality.overall, thumbnail };
  }

  async #landmarkNet(): Promise<FaceLandmark68Net> {
    if (!this.#landmarks) {
      await initBackend();
      this.#landmarks = FaceLandmark68Net.load();
    }
    return this.#landmarks;
  }

  #getPool(): Promise<AnalysisPool> {
    const precision = this.options.precision?.();
    const key = `${this.options.detectorId()}|${this.options.embedderId()}|${precision}`;
    if (!this.#pool || this.#poolKey !== key) {
      const previous = this.#pool;
      this.#poolKey = key;
      this.#pool = AnalysisPool.create({
        workers: 1,
        pipeline: { detector: this.options.detectorId(), embedder: this.options.embedderId(), precision },
      });
      // A failed start is not kept: the next call tries again.
      this.#pool.catch(() => {
        if (this.#poolKey === key) this.#pool = undefined;
      });
      void previous?.then((pool) => pool.close(), () => undefined);
    }
    return this.#pool;
  }

  async close(): Promise<void> {
    this.#landmarks?.dispose();
    this.#landmarks = undefined;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.then((p) => p.close(), () => undefined);
  }
}
