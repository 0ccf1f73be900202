/**
 * BLOB conversions. better-sqlite3 binds Buffers and returns Buffers; a typed array handed in may be a view
 * into a larger buffer (subarray), so byteOffset and byteLength are always honoured, and what comes back is
 * copied into memory of its own (a Buffer from SQLite may sit at an offset that is not 4-byte aligned).
 * Vectors are stored as little-endian float32, the native order of every platform Node runs on.
 */
import os from 'node:os';

if (os.endianness() !== 'LE') throw new Error('Facet stores float32 vectors little-endian and needs a little-endian CPU');

/** A Buffer over the same bytes, no copy: SQLite copies while binding. */
export function bytesToBlob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function float32ToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A fresh, aligned Float32Array holding the BLOB's bytes exactly. */
export function blobToFloat32(blob: Uint8Array): Float32Array {
  if (blob.byteLength % 4 !== 0) throw new RangeError(`a float32 BLOB needs a multiple of 4 bytes, got ${blob.byteLength}`);
  const vector = new Float32Array(blob.byteLength / 4);
  new Uint8Array(vector.buffer).set(blob);
  return vector;
}
