/** embeddings: one float32 vector per face and model, so switching models re-embeds without touching names. */
import { blobToFloat32, float32ToBlob } from './blob.ts';
import type { Db } from './db.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';

/** Every vector of one model in one block, ready for clustering. */
export interface VectorSet {
  modelId: string;
  dimensions: number;
  /** faceIds[i] owns vectors[i * dimensions .. (i + 1) * dimensions), ascending. */
  faceIds: Uint32Array;
  /** [count × dimensions] float32, row-major. */
  vectors: Float32Array;
}

export interface EmbeddingEntry {
  faceId: number;
  vector: Float32Array;
}

export const embeddingsSql = {
  put: `INSERT INTO embeddings (face_id, model_id, vector, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (face_id, model_id) DO UPDATE SET vector = excluded.vector, created_at = excluded.created_at`,
  get: 'SELECT vector FROM embeddings WHERE face_id = ? AND model_id = ?',
  byteLengthOfModel: 'SELECT length(vector) FROM embeddings WHERE model_id = ? LIMIT 1',
  countForModel: 'SELECT count(*) FROM embeddings WHERE model_id = ?',
  allForModel: 'SELECT face_id, vector FROM embeddings WHERE model_id = ? ORDER BY face_id',
  facesWithout: `SELECT f.id FROM faces f WHERE f.id > ?
    AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.face_id = f.id AND e.model_id = ?) ORDER BY f.id LIMIT ?`,
  models: 'SELECT model_id AS modelId, count(*) AS count FROM embeddings GROUP BY model_id ORDER BY model_id',
  deleteModel: 'DELETE FROM embeddings WHERE model_id = ?',
} as const;

export class EmbeddingsRepository {
  readonly #db: Db;
  readonly #put;
  readonly #get;
  readonly #byteLengthOfModel;
  readonly #countForModel;
  readonly #allForModel;
  readonly #facesWithout;
  readonly #models;
  readonly #deleteModel;

  constructor(db: Db) {
    this.#db = db;
    this.#put = db.prepare<[number, string, Buffer, number]>(embeddingsSql.put);
    this.#get = db.prepare<[number, string], Buffer>(embeddingsSql.get).pluck();
    this.#byteLengthOfModel = db.prepare<[string], number>(embeddingsSql.byteLengthOfModel).pluck();
    this.#countForModel = db.prepare<[string], number>(embeddingsSql.countForModel).pluck();
    this.#allForModel = db.prepare<[string], [number, Buffer]>(embeddingsSql.allForModel).raw();
    this.#facesWithout = db.prepare<[number, string, number], number>(embeddingsSql.facesWithout).pluck();
    this.#models = db.prepare<[], { modelId: string; count: number }>(embeddingsSql.models);
    this.#deleteModel = db.prepare<[string]>(embeddingsSql.deleteModel);
  }

  /** Stores (or replaces) the face's vector for `modelId`. The vector may be a view into a larger array. */
  put(faceId: number, modelId: string, vector: Float32Array, now = Date.now()): void {
    this.putMany(modelId, [{ faceId, vector }], now);
  }

  /** Stores many vectors of one model in one transaction. All must have the model's dimensions. */
  putMany(modelId: string, entries: Iterable<EmbeddingEntry>, now = Date.now()): number {
    return this.#db.transaction((): number => {
      let expectedBytes = this.#byteLengthOfModel.get(modelId);
      let count = 0;
      for (const { faceId, vector } of entries) {
        checkVector(modelId, vector, expectedBytes);
        expectedBytes = vector.byteLength;
        this.#put.run(faceId, modelId, float32ToBlob(vector), now);
        count++;
      }
      return count;
    }).immediate();
  }

  /** A copy of the stored vector, bit for bit. */
  get(faceId: number, modelId: string): Float32Array | undefined {
    const blob = this.#get.get(faceId, modelId);
    return blob && blobToFloat32(blob);
  }

  /**
   * Every vector of `modelId` as one contiguous block, in face id order, read in one snapshot.
   * For a million 128-d faces that is 512 MB of vectors and 4 MB of ids, with no per-face objects kept.
   */
  listVectors(modelId: string): VectorSet {
    return this.#db.transaction((): VectorSet => {
      const count = this.#countForModel.get(modelId) ?? 0;
      const bytes = this.#byteLengthOfModel.get(modelId) ?? 0;
      const dimensions = bytes / 4;
      const faceIds = new Uint32Array(count);
      const vectors = new Float32Array(count * dimensions);
      const target = new Uint8Array(vectors.buffer);
      let i = 0;
      for (const [faceId, blob] of this.#allForModel.iterate(modelId)) {
        if (blob.byteLength !== bytes) {
          const found = blob.byteLength / 4;
          throw new InvalidValueError('embeddings.vector', `face ${faceId} has ${found} dimensions, not ${dimensions}`);
        }
        if (faceId > 0xffffffff) throw new InvalidValueError('embeddings.face_id', `${faceId} exceeds Uint32`);
        faceIds[i] = faceId;
        target.set(blob, i * bytes);
        i++;
      }
      return { modelId, dimensions, faceIds, vectors };
    })();
  }

  /** Faces that have no vector for `modelId` yet, in id order after `afterId`: the embed stage's to-do list. */
  facesWithout(modelId: string, limit: number, afterId = 0): number[] {
    return this.#facesWithout.all(afterId, modelId, limit);
  }

  models(): Array<{ modelId: string; count: number }> {
    return this.#models.all();
  }

  /** Drops every vector of a model no longer used. Faces, names and decisions stay. */
  deleteModel(modelId: string): number {
    return this.#deleteModel.run(modelId).changes;
  }
}

function checkVector(modelId: string, vector: Float32Array, expectedBytes: number | undefined): void {
  const field = 'embeddings.vector';
  if (vector.length === 0) throw new InvalidValueError(field, 'empty vector');
  if (expectedBytes !== undefined && vector.byteLength !== expectedBytes) {
    throw new InvalidValueError(field, `${modelId} vectors have ${expectedBytes / 4} dimensions, got ${vector.length}`);
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!)) throw new InvalidValueError(field, `element ${i} is ${vector[i]}`);
  }
}
