/** What analysing one file gives (analyseFile.ts for photos, analyseVideo.ts for videos): types only. */
import type { Box, DateSource, FiveLandmarks, MediaKind, Point } from '../core/types.ts';
import type { FaceQuality } from './quality.ts';

export interface AnalysedPhotoFace {
  box: Box;
  landmarks: FiveLandmarks;
  /** All 68 iBUG points where the detector found them (original pixels). */
  landmarks68?: Point[];
  score: number;
  quality: FaceQuality;
  embedding: Float32Array;
  thumbnail: Uint8Array;
  /** Videos: seconds from the start to the frame this face (the person's best in the video) was taken from. */
  timeSeconds?: number;
}

export type FileAnalysis =
  | {
      ok: true;
      file: string;
      width: number;
      height: number;
      format: string;
      takenAt?: string;
      /** Where takenAt came from ('file': the modification time). */
      dateSource?: DateSource;
      /** 'video': faces are one per person, each from their best sampled frame (see analyseVideo.ts). */
      kind?: MediaKind;
      /** Videos: length in seconds. */
      durationSeconds?: number;
      faces: AnalysedPhotoFace[];
      /** Stage times; describe = align + embed (+ quality). */
      ms: { decode: number; detect: number; describe: number; align: number; embed: number; thumbnails: number };
    }
  | { ok: false; file: string; reason: string; message: string };
