/**
 * The two model jobs the API needs outside a scan: find the faces of one image (search by an uploaded photo),
 * and describe a face the user drew (landmarks inside the box, then the embedding). Behind an interface so the
 * API's tests run without models; the real one is in poolFaceAnalyser.ts.
 */
import type { Box } from '../contract.ts';

export interface AnalysedFace {
  box: Box;
  embedding: Float32Array;
  quality: number | null;
}

export interface DescribedBox {
  /** Five alignment landmarks in original pixels. */
  landmarks: Array<{ x: number; y: number }>;
  embedding: Float32Array;
  quality: number | null;
  /** JPEG thumbnail of the face. */
  thumbnail: Uint8Array;
}

export interface FaceAnalyser {
  /** The embedder whose vectors this analyser makes; results are stored under this model id. */
  readonly embedderId: string;
  /** Every face found in the image file, boxes in original pixels. */
  findFaces(file: string): Promise<AnalysedFace[]>;
  /** Landmarks and embedding of the face inside `box` (original pixels) of the photo. */
  describeBox(file: string, box: Box): Promise<DescribedBox>;
  /** Which tfjs backend runs the models, once loaded. */
  backend(): string | null;
  close(): Promise<void>;
}
