/**
 * When a photo or video was taken, and where that date came from. In order of trust:
 *   exif      EXIF DateTimeOriginal (or DateTimeDigitized), with OffsetTimeOriginal when the camera wrote it;
 *   xmp       an XMP packet's exif:DateTimeOriginal, xmp:CreateDate or photoshop:DateCreated (editors, scanners);
 *   quicktime a video's creation_time (QuickTime/MP4 `mvhd`, Matroska DATE_UTC), UTC, kept as local time;
 *   file      the file's modification time: a guess, shown as "file date" by the UI.
 * Dates are ISO 8601 text: local camera time without an offset when the source gives none.
 */
import type { DateSource } from '../core/types.ts';

export type { DateSource } from '../core/types.ts';

export interface DateTaken {
  takenAt: string;
  source: DateSource;
}

/** The first date the sources give, in order of trust; the file's mtime always gives one. */
export function chooseDateTaken(found: { exif?: string; xmp?: string; quicktime?: string }, mtimeMs: number): DateTaken {
  if (found.exif) return { takenAt: found.exif, source: 'exif' };
  if (found.xmp) return { takenAt: found.xmp, source: 'xmp' };
  if (found.quicktime) return { takenAt: localTime(found.quicktime), source: 'quicktime' };
  return { takenAt: fileDate(mtimeMs), source: 'file' };
}

/**
 * A UTC date ("2020-05-17T23:30:00Z", as QuickTime stores it) as local time with this machine's offset, as file
 * dates are: the timeline and a person's years read the date's own day and month, and in UTC a video filmed on
 * the evening of May 31 in Berlin fell in June. Text that does not parse is returned as it is.
 */
export function localTime(utc: string): string {
  const ms = Date.parse(utc);
  return Number.isFinite(ms) && /(?:Z|[+-]\d{2}:\d{2})$/u.test(utc) ? fileDate(ms) : utc;
}

/** The modification time as local time with this machine's offset: "2021-03-04T10:20:30+01:00". */
export function fileDate(mtimeMs: number): string {
  if (!Number.isFinite(mtimeMs)) throw new RangeError(`fileDate: mtimeMs must be finite, got ${mtimeMs}`);
  const date = new Date(Math.floor(mtimeMs / 1000) * 1000);
  const offsetMinutes = -date.getTimezoneOffset();
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
}

// XMP properties holding a capture date, in order of preference; each may be an attribute or an element.
const XMP_DATE_PROPERTIES = ['exif:DateTimeOriginal', 'xmp:CreateDate', 'photoshop:DateCreated', 'exif:DateTimeDigitized'];

/** The capture date an XMP packet holds, as ISO 8601 (seconds precision), or undefined. Never throws. */
export function parseXmpDateTaken(xmp: Uint8Array | string): string | undefined {
  const text = typeof xmp === 'string' ? xmp : Buffer.from(xmp.buffer, xmp.byteOffset, xmp.byteLength).toString('utf8');
  for (const property of XMP_DATE_PROPERTIES) {
    const escaped = property.replace(':', '\\:');
    const match = new RegExp(`${escaped}\\s*=\\s*["']([^"']+)["']|<${escaped}>([^<]+)</${escaped}>`).exec(text);
    const value = match?.[1] ?? match?.[2];
    const iso = value === undefined ? undefined : normaliseIsoDate(value.trim());
    if (iso) return iso;
  }
  return undefined;
}

/**
 * A QuickTime/Matroska creation time as ffmpeg prints it ("2020-05-17T09:30:00.000000Z") as ISO 8601 UTC,
 * or undefined for none or the zero date (1904-01-01/1970-01-01, which cameras without a clock write).
 */
export function parseQuickTimeDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const iso = normaliseIsoDate(value.trim());
  if (!iso || iso.startsWith('1904-01-01') || iso.startsWith('1970-01-01')) return undefined;
  return iso;
}

/** "2019-07-14T15:03:22.5+02:00", "2019-07-14 15:03:22Z", "2019:07:14 15:03:22" -> seconds precision; dates alone get midnight. */
function normaliseIsoDate(value: string): string | undefined {
  const match = /^(\d{4})[-:](\d{2})[-:](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', zone] = match;
  if (year === '0000' || month === '00' || day === '00' || Number(month) > 12 || Number(day) > 31) return undefined;
  const offset = zone === undefined ? '' : zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${offset}`;
}
