/**
 * Errors of the library layer. They are returned as values, never thrown across a scan:
 * one bad file or folder must not stop the other 100,000. Each names the file it concerns
 * and a short machine-readable reason; `message` is the human sentence shown to the user.
 */

/** Base class: a problem with one file or folder of the photo library. */
export class LibraryFileError extends Error {
  override readonly name: string = 'LibraryFileError';
  constructor(
    /** Absolute path of the file or folder concerned. */
    readonly file: string,
    /** Short machine-readable cause, see the subclasses. */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type WalkErrorReason =
  /** A folder (or a library root) could not be listed: missing, permission denied, I/O error. */
  | 'unreadable-directory'
  /** A directory entry could not be stat'ed, e.g. a symlink pointing nowhere. */
  | 'unreadable-entry'
  /** A symbolic link whose real path is outside the library folder's real path: never read. */
  | 'link-outside';

export class WalkError extends LibraryFileError {
  override readonly name = 'WalkError';
  declare readonly reason: WalkErrorReason;
  constructor(file: string, reason: WalkErrorReason, message: string, options?: { cause?: unknown }) {
    super(file, reason, message, options);
  }
}

export class FileHashError extends LibraryFileError {
  override readonly name = 'FileHashError';
  declare readonly reason: 'unreadable';
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(file, 'unreadable', message, options);
  }
}

export type ImageDecodeReason =
  /** Missing, permission denied, or an I/O error. */
  | 'unreadable'
  /** Zero bytes long. */
  | 'empty'
  /** Not a format Facet can read (a RAW without an embedded JPEG, a file no decoder recognises). */
  | 'unsupported-format'
  /** Declares more pixels than the configured limit (decompression-bomb guard). */
  | 'too-large'
  /** A known format whose data is damaged or truncated. */
  | 'corrupt';

export class ImageDecodeError extends LibraryFileError {
  override readonly name = 'ImageDecodeError';
  declare readonly reason: ImageDecodeReason;
  constructor(file: string, reason: ImageDecodeReason, message: string, options?: { cause?: unknown }) {
    super(file, reason, message, options);
  }
}
