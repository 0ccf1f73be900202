/**
 * RAW+JPEG pairs: a camera in RAW+JPEG mode writes IMG_0001.CR2 beside IMG_0001.JPG, two files of one photo.
 * Facet keeps the JPEG (or HEIC) as the photo, since it is what the camera rendered and what the user shares, and
 * leaves the RAW out of the library's photos, so its faces are neither found twice nor counted as two photos.
 * A RAW with no such sibling is a photo of its own (its embedded JPEG is analysed, see raw.ts).
 */
import path from 'node:path';
import { isRawPath } from './raw.ts';

/** Extensions of a rendered sibling that stands for a RAW. */
const RENDERED_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.heic', '.heif', '.tif', '.tiff', '.png']);

export interface RawSibling {
  raw: string;
  /** The rendered file that is the photo. */
  photo: string;
}

/** Splits a listing into the files that are photos and the RAW files that are siblings of one of them. */
export function separateRawSiblings<T extends { path: string }>(files: readonly T[]): { files: T[]; siblings: RawSibling[] } {
  const rendered = new Map<string, string>(); // folder + lower-case stem -> path
  for (const file of files) {
    if (RENDERED_EXTENSIONS.has(path.extname(file.path).toLowerCase())) rendered.set(stemKey(file.path), file.path);
  }
  const kept: T[] = [];
  const siblings: RawSibling[] = [];
  for (const file of files) {
    const photo = isRawPath(file.path) ? rendered.get(stemKey(file.path)) : undefined;
    if (photo) siblings.push({ raw: file.path, photo });
    else kept.push(file);
  }
  return { files: kept, siblings };
}

/** Same folder, same name without extension, case-insensitive (cameras write IMG_0001.CR2 and IMG_0001.JPG). */
function stemKey(file: string): string {
  const parsed = path.parse(file);
  return path.join(parsed.dir, parsed.name.toLowerCase());
}
