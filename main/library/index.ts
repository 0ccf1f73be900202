/**
 * The library layer's public surface: files, identity, decoding (HEIC, RAW, video frames), dates, thumbnails.
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
export { chooseDateTaken, fileDate, parseXmpDateTaken, parseQuickTimeDate } from './dates.ts';
export type { DateSource, DateTaken } from './dates.ts';
export { RAW_EXTENSIONS, isRawPath, extractRawPreview, RawPreviewError } from './raw.ts';
export type { RawPreview } from './raw.ts';
export { separateRawSiblings } from './siblings.ts';
export type { RawSibling } from './siblings.ts';
export { VIDEO_EXTENSIONS, NO_FFMPEG_REASON, isVideoPath, findFfmpeg, spawnFfmpeg, probeVideo, sampleFrames, VideoError } from './video.ts';
export type { VideoFrame, VideoInfo, VideoSampling } from './video.ts';
export { trackFaces } from './videoTracks.ts';
export type { FaceTrack, SampledFrame, TrackOptions } from './videoTracks.ts';
export { displayJpeg } from './display.ts';
export type { DisplayOptions } from './display.ts';
