/**
 * Worker thread body: one FacePipeline per worker (the wasm backend runs one core per instance).
 * Messages in: { id, file } ; out: { id, result: FileAnalysis }. Embeddings travel as transferred buffers.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { analyseFile, embedFileAt, embedFileInBox } from './analyseFile.ts';
import type { Box, Point } from '../core/types.ts';
import { FacePipeline, type PipelineOptions } from './pipeline.ts';
import type { DecodeOptions } from '../library/decode.ts';

interface WorkerInit {
  pipeline: PipelineOptions;
  decode: DecodeOptions;
  priority?: 'normal' | 'low';
}

const init = workerData as WorkerInit;
const port = parentPort!;

if (init.priority === 'low') {
  // pid 0 is the calling thread on Linux (each thread has its own nice value), the process elsewhere.
  try {
    os.setPriority(0, os.constants.priority.PRIORITY_BELOW_NORMAL);
  } catch (error) {
    process.emitWarning(`analysis worker: could not lower its priority (${(error as Error).message})`, 'FacetPriorityWarning');
  }
}

try {
  const pipeline = await FacePipeline.create(init.pipeline);
  port.on('message', async (message: { id: number; file: string; landmarks?: readonly Point[]; timeSeconds?: number; box?: Box } | { close: true }) => {
    if ('close' in message) {
      pipeline.dispose();
      port.close();
      return;
    }
    const result = message.landmarks
      ? await embedFileAt(pipeline, message.file, message.landmarks, init.decode, message.timeSeconds)
      : message.box
        ? await embedFileInBox(pipeline, message.file, message.box, init.decode)
        : await analyseFile(pipeline, message.file, init.decode);
    const transfer = result.ok ? result.faces.flatMap((face) => [face.embedding.buffer as ArrayBuffer, face.thumbnail.buffer as ArrayBuffer]) : [];
    port.postMessage({ id: message.id, result }, transfer);
  });
  port.postMessage({ ready: true, backend: pipeline.backend, detector: pipeline.detector.id, embedder: pipeline.embedder.id, precisions: pipeline.precisions });
} catch (error) {
  port.postMessage({ failed: (error as Error).message });
}
