/**
 * Named face regions in XMP, as ExifTool reads and writes them (`-struct` JSON), turned into boxes in pixels of
 * the upright image and back. Two vocabularies are read:
 * - MWG (XMP-mwg-rs:RegionInfo): AppliedToDimensions {W, H, Unit} and RegionList [{Area {X, Y, W, H, Unit},
 *   Type, Name}], Area normalised and centre-based (X, Y is the middle of the box);
 * - Microsoft (XMP-MP:RegionInfo, ExifTool's RegionInfoMP): Regions [{Rectangle "x, y, w, h", PersonDisplayName}],
 *   normalised and top-left based.
 * Both are taken relative to the image as stored (before EXIF rotation); only MWG is written.
 * Pure functions over plain objects: the ExifTool process lives in exiftoolMetadata.ts.
 */
import { intersectionOverUnion } from '../library/boxOverlap.ts';
import type { Box } from '../core/types.ts';
import { normalise, storedSize, storedToUpright, toPixels, uprightToStored, type Normalised, type Size } from './orientation.ts';

/** A name on a face, the box in pixels of the upright image. */
export interface NamedRegion {
  name: string;
  box: Box;
}

/** The tags this module reads, as ExifTool returns them with -struct. */
export interface RegionTags {
  Orientation?: unknown;
  RegionInfo?: unknown;
  RegionInfoMP?: unknown;
}

/** Regions at least this alike (IoU) are one face: the same one written twice, or a detection and its name. */
export const SAME_FACE_IOU = 0.5;

/** Six decimals: a thousandth of a pixel on a 10,000-pixel side, so a round trip stays well within one pixel. */
const DECIMALS = 1e6;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
}

function finite(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function cleanName(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const name = String(value).normalize('NFC').trim().replace(/\s+/gu, ' ');
  return name === '' ? undefined : name;
}

function isUsable(box: Normalised): boolean {
  return box.width > 0 && box.height > 0 && box.x < 1 && box.y < 1 && box.x + box.width > 0 && box.y + box.height > 0;
}

/** MWG RegionList entries with a name and a face type (or none), as normalised boxes of the stored image. */
export function mwgFaces(regionInfo: unknown): Array<{ name: string; stored: Normalised }> {
  if (!isObject(regionInfo)) return [];
  const applied = isObject(regionInfo.AppliedToDimensions) ? regionInfo.AppliedToDimensions : {};
  const out: Array<{ name: string; stored: Normalised }> = [];
  for (const entry of asList(regionInfo.RegionList)) {
    if (!isObject(entry) || !isObject(entry.Area)) continue;
    if (entry.Type !== undefined && String(entry.Type).toLowerCase() !== 'face') continue;
    const name = cleanName(entry.Name);
    let [x, y, w, h] = [entry.Area.X, entry.Area.Y, entry.Area.W, entry.Area.H].map(finite);
    if (!name || x === undefined || y === undefined || w === undefined || h === undefined) continue;
    // MWG areas are normalised; a few writers put pixels, saying so in Unit, against AppliedToDimensions.
    if (String(entry.Area.Unit ?? 'normalized').toLowerCase() === 'pixel') {
      const [aw, ah] = [finite(applied.W), finite(applied.H)];
      if (!aw || !ah) continue;
      [x, y, w, h] = [x / aw, y / ah, w / aw, h / ah];
    }
    const stored = { x: x - w / 2, y: y - h / 2, width: w, height: h };
    if (isUsable(stored)) out.push({ name, stored });
  }
  return out;
}

/** Microsoft People Tagging regions with a name, as normalised boxes of the stored image. */
export function mpFaces(regionInfoMP: unknown): Array<{ name: string; stored: Normalised }> {
  if (!isObject(regionInfoMP)) return [];
  const out: Array<{ name: string; stored: Normalised }> = [];
  for (const entry of asList(regionInfoMP.Regions)) {
    if (!isObject(entry)) continue;
    const name = cleanName(entry.PersonDisplayName);
    const parts = typeof entry.Rectangle === 'string' ? entry.Rectangle.split(',').map(finite) : [];
    if (!name || parts.length !== 4 || parts.some((n) => n === undefined)) continue;
    const [x, y, w, h] = parts as number[];
    const stored = { x: x!, y: y!, width: w!, height: h! };
    if (isUsable(stored)) out.push({ name, stored });
  }
  return out;
}

/** Drops regions of `extra` that overlap one of `kept` (the same face written by a second vocabulary or file). */
export function mergeRegions(kept: readonly NamedRegion[], extra: readonly NamedRegion[]): NamedRegion[] {
  const merged = [...kept];
  for (const region of extra) {
    if (!merged.some((other) => intersectionOverUnion(other.box, region.box) >= SAME_FACE_IOU)) merged.push(region);
  }
  return merged;
}

/**
 * The named faces of one set of tags, in pixels of the upright image of `upright` size; MWG first, then
 * Microsoft regions that MWG does not already cover. `orientation` is the image's own EXIF Orientation.
 */
export function regionsFromTags(tags: RegionTags, orientation: number, upright: Size): NamedRegion[] {
  const toUpright = ({ name, stored }: { name: string; stored: Normalised }): NamedRegion => ({
    name,
    box: toPixels(storedToUpright(stored, orientation), upright),
  });
  return mergeRegions(mwgFaces(tags.RegionInfo).map(toUpright), mpFaces(tags.RegionInfoMP).map(toUpright));
}

const round = (n: number) => Math.round(n * DECIMALS) / DECIMALS;

/** One MWG region entry for a named face (upright pixels in, stored-image normalised centre out). */
export function mwgRegion(region: NamedRegion, orientation: number, upright: Size): Json {
  const stored = uprightToStored(normalise(region.box, upright), orientation);
  return {
    Area: {
      X: round(stored.x + stored.width / 2),
      Y: round(stored.y + stored.height / 2),
      W: round(stored.width),
      H: round(stored.height),
      Unit: 'normalized',
    },
    Type: 'Face',
    Name: region.name,
  };
}

/**
 * The RegionInfo struct to write: our named faces, plus whatever the file already had that is not one of
 * them (regions of other types, faces elsewhere), so that writing never loses another program's regions.
 */
export function mwgRegionInfo(regions: readonly NamedRegion[], orientation: number, upright: Size, existing: unknown): Json {
  const ours = regions.map((region) => mwgRegion(region, orientation, upright));
  const oursStored = regions.map((region) => uprightToStored(normalise(region.box, upright), orientation));
  const kept = isObject(existing)
    ? asList(existing.RegionList).filter((entry) => {
        if (!isObject(entry)) return false;
        const [face] = mwgFaces({ AppliedToDimensions: existing.AppliedToDimensions, RegionList: [{ ...entry, Name: entry.Name ?? '?' }] });
        return !face || !oursStored.some((box) => intersectionOverUnion(box, face.stored) >= SAME_FACE_IOU);
      })
    : [];
  const stored = storedSize(upright, orientation);
  return {
    AppliedToDimensions: { W: stored.width, H: stored.height, Unit: 'pixel' },
    RegionList: [...kept, ...ours],
  };
}
