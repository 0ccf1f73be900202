/**
 * The library layer's public surface: files, identity, decoding, EXIF dates, thumbnails.
 * No database here; the scan stage joins these to the store.
 */
export { LibraryFileError, WalkError, FileHashError, ImageDecodeError } from './errors.ts';
export type { WalkErrorReason, ImageDecodeReason } from './errors.ts';
export { IMAGE_EXTENSIONS, isImagePath, walkLibrary, listLibrary } from './walk.ts';
export type { ListedFile, WalkBatch, WalkOptions } from './walk.ts';
export { CONTENT_HASH_SCHEME, HASH_WINDOW_BYTES, contentHash, diffLibrary, pathsToHash } from './identity.ts';
export type { KnownFile, ScannedFile, FileChange, LibraryDiff } from './identity.ts';
export { DEFAULT_DECODE_OPTIONS, HEIC_SUPPORTED, decodeImage, decodeForDetection, toOriginalBox } from './decode.ts';
export type { DecodeOptions, DecodedImage } from './decode.ts';
export { parseExifDateTaken, readDateTaken } from './exif.ts';
export { faceThumbnail } from './thumbnail.ts';
export type { ThumbnailOptions } from './thumbnail.ts';
