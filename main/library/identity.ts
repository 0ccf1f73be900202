/**
 * File identity: a quick content hash, and the diff between the last scan and this one.
 *
 * The hash covers the file size plus the first and last 64 KiB, not the whole file. Hashing every
 * byte of a 100,000-photo library (about 400 GB at 4 MB a photo) takes many minutes even at SSD
 * speed and hours on a USB disk; head + tail reads 128 KiB a file, about 3% of those bytes.
 * For photos that is enough to tell files apart: a JPEG's head holds its EXIF (camera, date,
 * thumbnail) and the start of the entropy-coded data, its tail the end of that data, and two
 * different photos of equal size that agree on both are vanishingly rare. An edit that keeps size,
 * head and tail (a few pixels in the middle of an uncompressed TIFF) leaves the hash alone; that
 * only matters if the file is also moved, since at the same path size and mtime mark it changed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FileHashError } from './errors.ts';
import type { ListedFile } from './walk.ts';

/** Bytes hashed at each end of the file. */
export const HASH_WINDOW_BYTES = 64 * 1024;

/** Names the scheme, so that stored hashes can be recognised if it ever changes. */
export const CONTENT_HASH_SCHEME = 'sha256(size, head 64 KiB, tail 64 KiB)';

/** sha256 hex of (size as 8-byte little-endian, first 64 KiB, last 64 KiB); a smaller file is hashed whole. */
export async function contentHash(file: string): Promise<string | FileHashError> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    const hash = createHash('sha256');
    const sizeBytes = Buffer.alloc(8);
    sizeBytes.writeBigUInt64LE(BigInt(size));
    hash.update(sizeBytes);
    if (size <= 2 * HASH_WINDOW_BYTES) {
      hash.update(await readRange(handle, 0, size));
    } else {
      hash.update(await readRange(handle, 0, HASH_WINDOW_BYTES));
      hash.update(await readRange(handle, size - HASH_WINDOW_BYTES, HASH_WINDOW_BYTES));
    }
    return hash.digest('hex');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new FileHashError(file, `cannot read ${file} to identify it: ${reason}`, { cause });
  } finally {
    await handle?.close();
  }
}

async function readRange(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break; // the file shrank under us: hash what is there
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** A file as the store remembers it from the previous scan. */
export interface KnownFile {
  path: string;
  size: number;
  mtimeMs: number;
  contentHash: string;
}

/** This scan's listing; new paths should carry their content hash so that moves can be found. */
export type ScannedFile = ListedFile & { contentHash?: string };

export interface FileChange<Known> {
  previous: Known;
  current: ScannedFile;
}

export interface LibraryDiff<Known> {
  /** Same path, same size and mtime: nothing to do. */
  unchanged: Known[];
  /** Same path, different size or mtime: re-hash, re-detect. */
  changed: FileChange<Known>[];
  /** A path that vanished whose content hash reappeared at a new path: keep the id and its faces. */
  moved: FileChange<Known>[];
  /** New paths with no matching vanished file. */
  added: ScannedFile[];
  /** Vanished paths with no matching new file. */
  deleted: Known[];
}

/**
 * mtimes are compared to the millisecond: stores may keep them rounded,
 * while stat reports fractions of a millisecond on most file systems.
 */
function sameVersion(known: KnownFile, scanned: ListedFile): boolean {
  return known.size === scanned.size && Math.abs(known.mtimeMs - scanned.mtimeMs) < 1;
}

/**
 * New paths in `current` that need a content hash before diffLibrary can recognise moves.
 * Only those: files at a known path are matched by path, size and mtime, without reading them.
 */
export function pathsToHash(previous: readonly KnownFile[], current: readonly ListedFile[]): ListedFile[] {
  const known = new Set(previous.map((file) => file.path));
  return current.filter((file) => !known.has(file.path));
}

/**
 * Compares the previous scan with this one. Pure: reads no files.
 * Paths are compared exactly (case-sensitive). A vanished record and a new file are paired as a
 * move when content hash and size agree; among several candidates one with the same file name wins.
 */
export function diffLibrary<Known extends KnownFile>(
  previous: readonly Known[],
  current: readonly ScannedFile[],
): LibraryDiff<Known> {
  const diff: LibraryDiff<Known> = { unchanged: [], changed: [], moved: [], added: [], deleted: [] };
  const currentByPath = new Map(current.map((file) => [file.path, file]));
  const previousPaths = new Set<string>();

  // Vanished records by content hash, candidates for moves.
  const vanishedByHash = new Map<string, Known[]>();
  for (const known of previous) {
    previousPaths.add(known.path);
    const scanned = currentByPath.get(known.path);
    if (!scanned) {
      const bucket = vanishedByHash.get(known.contentHash);
      if (bucket) bucket.push(known);
      else vanishedByHash.set(known.contentHash, [known]);
    } else if (sameVersion(known, scanned)) {
      diff.unchanged.push(known);
    } else {
      diff.changed.push({ previous: known, current: scanned });
    }
  }

  for (const scanned of current) {
    if (previousPaths.has(scanned.path)) continue;
    const match = scanned.contentHash === undefined ? undefined : takeMoveSource(vanishedByHash, scanned);
    if (match) diff.moved.push({ previous: match, current: scanned });
    else diff.added.push(scanned);
  }

  for (const bucket of vanishedByHash.values()) diff.deleted.push(...bucket);
  return diff;
}

/** Removes and returns the vanished record that `scanned` most likely is, if any. */
function takeMoveSource<Known extends KnownFile>(vanishedByHash: Map<string, Known[]>, scanned: ScannedFile): Known | undefined {
  const bucket = vanishedByHash.get(scanned.contentHash!);
  if (!bucket) return undefined;
  const sameSize = bucket.filter((known) => known.size === scanned.size);
  if (sameSize.length === 0) return undefined;
  const name = path.basename(scanned.path);
  const chosen = sameSize.find((known) => path.basename(known.path) === name) ?? sameSize[0]!;
  bucket.splice(bucket.indexOf(chosen), 1);
  if (bucket.length === 0) vanishedByHash.delete(scanned.contentHash!);
  return chosen;
}

/**
 * Content that moved between known paths: files renumbered (each photo's content one name further on) or swapped,
 * a name reused for another photo of the library. diffLibrary pairs only records whose path vanished with new
 * paths; here, once the changed files' hashes are known, a changed path whose new content is the old content of
 * another record (changed or vanished), or a new path holding a changed record's old content, is that record
 * moved, with its faces and names. (Analysed again instead, every face of a renumbered folder lost its name.)
 *
 * A move onto a path whose own record stays there is not one: that record's content changed, and it is analysed
 * as before. A changed path whose record moved away and that nothing moved onto holds a new photo (added).
 */
export function followContentMoves<Known extends KnownFile>(diff: LibraryDiff<Known>): LibraryDiff<Known> {
  const edited = diff.changed.filter((change) => change.current.contentHash !== undefined && change.current.contentHash !== change.previous.contentHash);
  if (edited.length === 0) return diff;
  // Old content that may have gone elsewhere: of the edited records and of the vanished ones.
  const sources = new Map<string, Known[]>();
  for (const known of [...edited.map((change) => change.previous), ...diff.deleted]) {
    const bucket = sources.get(known.contentHash);
    if (bucket) bucket.push(known);
    else sources.set(known.contentHash, [known]);
  }
  // Candidate moves onto each edited path (occupied by its old record) and each new path (free).
  const occupant = new Map<string, Known>(edited.map((change) => [change.current.path, change.previous]));
  const candidates = new Map<string, { previous: Known; current: ScannedFile }>();
  for (const current of [...edited.map((change) => change.current), ...diff.added]) {
    if (current.contentHash === undefined) continue;
    const source = takeMoveSource(sources, current);
    if (source) candidates.set(current.path, { previous: source, current });
  }
  // Keep only moves onto free paths or onto paths whose record itself moves (a chain ending at a new path, a cycle).
  const movedAway = () => new Set([...candidates.values()].map((move) => move.previous.path));
  for (let changed = true; changed; ) {
    changed = false;
    const away = movedAway();
    for (const target of [...candidates.keys()]) {
      const holder = occupant.get(target);
      if (holder && !away.has(holder.path)) {
        candidates.delete(target);
        changed = true;
      }
    }
  }
  if (candidates.size === 0) return diff;
  const away = movedAway();
  const arrived = new Set(candidates.keys());
  const changedLeft = diff.changed.filter((change) => !arrived.has(change.current.path) && !away.has(change.previous.path));
  // An edited path whose record moved away and that received nothing: a new photo there.
  const freed = diff.changed.filter((change) => away.has(change.previous.path) && !arrived.has(change.current.path)).map((change) => change.current);
  return {
    unchanged: diff.unchanged,
    changed: changedLeft,
    moved: [...diff.moved, ...candidates.values()],
    added: [...diff.added.filter((file) => !arrived.has(file.path)), ...freed],
    deleted: diff.deleted.filter((known) => !away.has(known.path)),
  };
}
