import { statfsSync } from 'node:fs';
import path from 'node:path';
import { StoreError } from './storeError.ts';

/** Below this much free space, a write error from SQLite is taken to mean the disk is full. */
const NEARLY_FULL_BYTES = 1 << 20;

/**
 * The database could not be written because its disk is full. SQLite says so with SQLITE_FULL, or, when the
 * write-ahead log or its index cannot grow, only with a "disk I/O error"; this names the file and the cause.
 * Each step of Facet's work is one transaction, so what was saved before the error stays as it was.
 */
export class DiskFullError extends StoreError {
  override readonly name = 'DiskFullError';

  constructor(
    readonly file: string,
    /** Bytes free on that disk when the error was seen, if it could be measured. */
    readonly freeBytes: number | undefined,
    options?: { cause?: unknown },
  ) {
    const full = freeBytes !== undefined && freeBytes < NEARLY_FULL_BYTES
      ? `the disk it is on is full (${Math.floor(freeBytes / 1024)} KiB free)`
      : 'the database or the disk it is on is full (SQLITE_FULL)';
    super(`cannot write ${file}: ${full}. Free some space and try again.`, options);
  }
}

/** The DiskFullError that `error`, thrown while writing the database at `file`, stands for; undefined if it is not one. */
export function asDiskFullError(error: unknown, file: string): DiskFullError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'))) return undefined;
  let free: number | undefined;
  try {
    const stats = statfsSync(path.dirname(file));
    free = stats.bavail * stats.bsize;
  } catch {
    free = undefined; // the folder itself is gone: not a question of space
  }
  if (code !== 'SQLITE_FULL' && !(free !== undefined && free < NEARLY_FULL_BYTES)) return undefined;
  return new DiskFullError(file, free, { cause: error });
}
