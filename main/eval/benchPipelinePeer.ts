/**
 * The peer of `facet bench pipeline`, run in a child process of its own (face-api's loader patches
 * tfjs globally, see faces/testing/faceApiOracle.ts): @vladmandic/face-api's own detectAllFaces(SSD)
 * .withFaceLandmarks().withFaceDescriptors() on our tfjs-core + wasm, over the photos named in the
 * JSON file argv[2], decoded exactly as our pipeline decodes them. Prints one JSON line.
 *
 * Mode argv[3]: 'single' (default) is face-api as it comes: one 512x512 pass, blind to faces under about
 * 90 px in a 12 MP photo. 'small-faces' is face-api at Facet's accuracy: its SSD run on the same tiles of
 * the same pyramid as Facet's small-face pass (tiling.ts, SMALL_FACE_DEFAULTS), merged the same way, then
 * face-api's own landmarks and descriptors in the merged boxes.
 *
 *   node --import tsx main/eval/benchPipelinePeer.ts files.json [single|small-faces]
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { catalogEntry } from '../../native-models/catalog.ts';
import { loadWeightMap } from '../../native-models/tfjsLoad.ts';
import { initBackend } from '../embed/backend.ts';
import { loadFaceApiModule } from '../faces/testing/faceApiOracle.ts';
import { decodeImage } from '../library/decode.ts';
import { cropRgb, shrinkArea } from '../faces/rgbResize.ts';
import { SMALL_FACE_DEFAULTS } from '../faces/smallFaces.ts';
import { mergeDetections, planPyramid, toImageBox, touchesInnerEdge, type Candidate } from '../faces/tiling.ts';
import type { RgbImage } from '../core/types.ts';

export type PeerMode = 'single' | 'small-faces';
const SSD_INPUT = 512;

export interface PeerRunResult {
  photos: number;
  faces: number;
  /** From the first photo to the last, models loaded and one photo already run. */
  ms: number;
  peakMB: number;
  version: string;
}

async function run(files: string[], mode: PeerMode): Promise<PeerRunResult> {
  await initBackend('wasm');
  const faceapi = await loadFaceApiModule();
  faceapi.nets.ssdMobilenetv1.loadFromWeightMap(loadWeightMap(catalogEntry('ssd-mobilenetv1')));
  faceapi.nets.faceLandmark68Net.loadFromWeightMap(loadWeightMap(catalogEntry('landmark68')));
  faceapi.nets.faceRecognitionNet.loadFromWeightMap(loadWeightMap(catalogEntry('dlib-resnet')));
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 });
  const analyse = async (file: string): Promise<number> => {
    const decoded = await decodeImage(file);
    if (decoded instanceof Error) return 0;
    const { data, width, height } = decoded.image;
    const input = tf.tensor3d(data, [height, width, 3], 'int32');
    try {
      const levels = mode === 'small-faces' ? planPyramid(width, height, { inputSize: SSD_INPUT, ...SMALL_FACE_DEFAULTS }) : [];
      if (levels.length === 0) return ((await faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors()) as unknown[]).length;
      // The small-face pass of smallFaces.ts with face-api's SSD: whole image, then the tiles coarse to fine, merged.
      const locate = async (image: RgbImage | tf.Tensor3D): Promise<Candidate[]> => {
        const tensor = image instanceof tf.Tensor ? image : tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
        try {
          const found = (await faceapi.nets.ssdMobilenetv1.locateFaces(tensor, options)) as Array<{ score: number; box: { x: number; y: number; width: number; height: number } }>;
          return found.map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }));
        } finally {
          if (tensor !== image) tensor.dispose();
        }
      };
      const candidates = await locate(input);
      for (const level of [...levels].reverse()) {
        const levelImage = shrinkArea(decoded.image, level.width, level.height);
        for (const tile of level.tiles) {
          for (const c of await locate(cropRgb(levelImage, tile.x, tile.y, tile.width, tile.height))) {
            const inLevel = { x: c.box.x + tile.x, y: c.box.y + tile.y, width: c.box.width, height: c.box.height };
            if (!touchesInnerEdge(inLevel, tile, level.width, level.height)) candidates.push({ box: toImageBox(inLevel, level.width / width), score: c.score });
          }
        }
      }
      const merged = mergeDetections(candidates, SMALL_FACE_DEFAULTS.mergeThreshold).sort((a, b) => b.score - a.score).slice(0, 100);
      const detections = merged.map((c) => faceapi.extendWithFaceDetection({}, new faceapi.FaceDetection(
        c.score, new faceapi.Rect(c.box.x / width, c.box.y / height, c.box.width / width, c.box.height / height), { width, height },
      )));
      const task = new faceapi.DetectAllFaceLandmarksTask(Promise.resolve(detections), input, false).withFaceDescriptors();
      return ((await task) as unknown[]).length;
    } finally {
      input.dispose();
    }
  };
  if (files.length > 0) await analyse(files[0]!); // untimed, as our pool's first photo per worker
  let faces = 0;
  const started = performance.now();
  for (const file of files) faces += await analyse(file);
  const ms = performance.now() - started;
  return { photos: files.length, faces, ms, peakMB: process.resourceUsage().maxRSS / 1024, version: String(faceapi.version ?? '') };
}

const files = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as string[];
const mode = (process.argv[3] ?? 'single') as PeerMode;
if (mode !== 'single' && mode !== 'small-faces') throw new Error(`peer mode must be single or small-faces, got ${mode}`);
run(files, mode).then(
  (result) => process.stdout.write(JSON.stringify(result) + '\n'),
  (error: unknown) => {
    process.stderr.write(`face-api peer failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
