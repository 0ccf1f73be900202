/**
 * The date a photo was taken, from its EXIF block. A minimal TIFF-structure reader: IFD0, then the
 * Exif sub-IFD, then DateTimeOriginal (or DateTimeDigitized) and OffsetTimeOriginal. Everything
 * else in EXIF is ignored; sharp already applies the orientation.
 */
import sharp from 'sharp';

const TAG_ORIENTATION = 0x0112;
const TAG_EXIF_IFD_POINTER = 0x8769;
const TAG_DATE_TIME_ORIGINAL = 0x9003;
const TAG_DATE_TIME_DIGITIZED = 0x9004;
const TAG_OFFSET_TIME_ORIGINAL = 0x9011;
const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const IFD_ENTRY_BYTES = 12;

/**
 * Date taken as ISO 8601: "2019-07-14T15:03:22", local camera time, or "2019-07-14T15:03:22+02:00"
 * when the camera recorded its offset. undefined when absent or unreadable; never throws.
 */
export function parseExifDateTaken(exif: Uint8Array): string | undefined {
  try {
    const tiff = tiffView(exif);
    if (!tiff) return undefined;
    const exifIfd = readIfd(tiff, tiff.ifd0Offset).get(TAG_EXIF_IFD_POINTER);
    if (!exifIfd || exifIfd.type !== TYPE_LONG) return undefined;
    const tags = readIfd(tiff, exifIfd.value);
    const taken = asciiValue(tiff, tags.get(TAG_DATE_TIME_ORIGINAL)) ?? asciiValue(tiff, tags.get(TAG_DATE_TIME_DIGITIZED));
    return taken === undefined ? undefined : exifDateToIso(taken, asciiValue(tiff, tags.get(TAG_OFFSET_TIME_ORIGINAL)));
  } catch {
    return undefined; // a damaged EXIF block only means the date is unknown
  }
}

/**
 * EXIF Orientation (IFD0 tag 0x0112), 1-8, or undefined when absent or out of range; never throws. Needed where
 * the pixels do not come from libvips (HEIC through libheif, RAW previews), which applies it itself elsewhere.
 */
export function parseExifOrientation(exif: Uint8Array): number | undefined {
  try {
    const tiff = tiffView(exif);
    if (!tiff) return undefined;
    const entry = readIfd(tiff, tiff.ifd0Offset).get(TAG_ORIENTATION);
    if (!entry || entry.type !== TYPE_SHORT || entry.count !== 1) return undefined;
    const value = tiff.view.getUint16(entry.entryOffset + 8, tiff.littleEndian);
    return value >= 1 && value <= 8 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads only the header (no pixels): cheap enough to call for every file of a scan. */
export async function readDateTaken(file: string): Promise<string | undefined> {
  try {
    const { exif } = await sharp(file).metadata();
    return exif ? parseExifDateTaken(exif) : undefined;
  } catch {
    return undefined; // decodeImage reports unreadable files; a missing date is not an error
  }
}

/**
 * An EXIF date and offset as text (as in the block, or as ExifTool prints them) to ISO 8601:
 * ("2019:07:14 15:03:22", "+02:00") -> "2019-07-14T15:03:22+02:00"; unset or malformed dates -> undefined.
 */
export function exifDateToIso(taken: string, offset?: string): string | undefined {
  const local = isoFromExif(taken);
  if (!local) return undefined;
  return offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? local + offset : local;
}

/** "2019:07:14 15:03:22" -> "2019-07-14T15:03:22"; unset dates ("0000:00:00 ...", blanks) -> undefined. */
function isoFromExif(value: string): string | undefined {
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  if (year === '0000' || month === '00' || day === '00') return undefined;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}`;
}

interface TiffView {
  view: DataView;
  littleEndian: boolean;
  ifd0Offset: number;
}

interface IfdEntry {
  type: number;
  count: number;
  /** The value itself when it fits in 4 bytes, else its offset from the TIFF header. */
  value: number;
  /** Where the 4 value bytes sit, for short inline strings. */
  entryOffset: number;
}

/** Finds the TIFF header: after "Exif\0\0" (JPEG APP1 as sharp returns it) or at the very start. */
function tiffView(exif: Uint8Array): TiffView | undefined {
  const text = Buffer.from(exif.buffer, exif.byteOffset, Math.min(exif.byteLength, 16)).toString('latin1');
  const start = text.startsWith('Exif\0\0') ? 6 : text.startsWith('II') || text.startsWith('MM') ? 0 : -1;
  if (start < 0 || exif.byteLength < start + 8) return undefined;
  const view = new DataView(exif.buffer, exif.byteOffset + start, exif.byteLength - start);
  const littleEndian = view.getUint16(0) === 0x4949; // "II"
  if (view.getUint16(2, littleEndian) !== 42) return undefined;
  return { view, littleEndian, ifd0Offset: view.getUint32(4, littleEndian) };
}

/** Tag -> entry. DataView throws RangeError on offsets past the end, which the caller catches. */
function readIfd(tiff: TiffView, offset: number): Map<number, IfdEntry> {
  const { view, littleEndian } = tiff;
  const entries = new Map<number, IfdEntry>();
  const count = view.getUint16(offset, littleEndian);
  for (let i = 0; i < count; i++) {
    const entryOffset = offset + 2 + i * IFD_ENTRY_BYTES;
    entries.set(view.getUint16(entryOffset, littleEndian), {
      type: view.getUint16(entryOffset + 2, littleEndian),
      count: view.getUint32(entryOffset + 4, littleEndian),
      value: view.getUint32(entryOffset + 8, littleEndian),
      entryOffset,
    });
  }
  return entries;
}

function asciiValue(tiff: TiffView, entry: IfdEntry | undefined): string | undefined {
  if (!entry || entry.type !== TYPE_ASCII || entry.count === 0 || entry.count > 64) return undefined;
  const start = entry.count <= 4 ? entry.entryOffset + 8 : entry.value;
  if (start + entry.count > tiff.view.byteLength) return undefined;
  const bytes = new Uint8Array(tiff.view.buffer, tiff.view.byteOffset + start, entry.count);
  return Buffer.from(bytes).toString('latin1').replace(/\0.*$/s, '').trim();
}
