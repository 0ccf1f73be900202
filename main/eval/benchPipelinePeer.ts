/**
 * The peer of `facet bench pipeline`, run in a child process of its own (face-api's loader patches
 * tfjs globally, see faces/testing/faceApiOracle.ts): @vladmandic/face-api's own detectAllFaces(SSD)
 * .withFaceLandmarks().withFaceDescriptors() on our tfjs-core + wasm, over the photos named in the
 * JSON file argv[2], decoded exactly as our pipeline decodes them. Prints one JSON line.
 *
 *   node --import tsx main/eval/benchPipelinePeer.ts files.json
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { catalogEntry } from '../../native-models/catalog.ts';
import { loadWeightMap } from '../../native-models/tfjsLoad.ts';
import { initBackend } from '../embed/backend.ts';
import { loadFaceApiModule } from '../faces/testing/faceApiOracle.ts';
import { decodeImage } from '../library/decode.ts';

export interface PeerRunResult {
  photos: number;
  faces: number;
  /** From the first photo to the last, models loaded and one photo already run. */
  ms: number;
  peakMB: number;
  version: string;
}

async function run(files: string[]): Promise<PeerRunResult> {
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
    const results = (await faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors()) as unknown[];
    input.dispose();
    return results.length;
  };
  if (files.length > 0) await analyse(files[0]!); // untimed, as our pool's first photo per worker
  let faces = 0;
  const started = performance.now();
  for (const file of files) faces += await analyse(file);
  const ms = performance.now() - started;
  return { photos: files.length, faces, ms, peakMB: process.resourceUsage().maxRSS / 1024, version: String(faceapi.version ?? '') };
}

const files = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as string[];
run(files).then(
  (result) => process.stdout.write(JSON.stringify(result) + '\n'),
  (error: unknown) => {
    process.stderr.write(`face-api peer failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
