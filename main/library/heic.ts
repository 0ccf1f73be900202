/**
 * HEIC/HEIF pixels where libvips cannot decode them: sharp's prebuilt libvips carries libheif with the AV1
 * decoder only (AVIF works), not HEVC. heic-decode runs libheif compiled to WebAssembly, inside its npm package.
 *
 * Orientation: libheif applies the HEIF transforms (irot rotation, imir mirror) while decoding, and those are
 * what the HEIF standard says to show. EXIF Orientation is applied only when the file has no such transform:
 * an iPhone writes both (irot authoritative, EXIF for old readers), while converters such as heif-enc 1.15 copy
 * a JPEG's EXIF orientation without writing irot, and the photo is upright only with it.
 */
import { createRequire } from 'node:module';

export interface HeicPixels {
  /** RGBA, 8 bits per channel, HEIF transforms applied. [width * height * 4] */
  data: Uint8Array;
  width: number;
  height: number;
}

type HeicDecode = (input: { buffer: Uint8Array }) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;

let heicDecode: HeicDecode | undefined;

/** heic-decode loads a 1.5 MB WebAssembly module: required on the first HEIC, not at start-up. */
function loadHeicDecode(): HeicDecode {
  heicDecode ??= createRequire(import.meta.url)('heic-decode') as HeicDecode;
  return heicDecode;
}

/** Decodes the primary image. Throws libheif's error (the caller names the file). */
export async function decodeHeicPixels(buffer: Uint8Array): Promise<HeicPixels> {
  const { width, height, data } = await loadHeicDecode()({ buffer });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

/**
 * Whether the HEIF file declares an `irot` or `imir` item property (meta > iprp > ipco), i.e. libheif will
 * rotate or mirror it. A structural walk of ISO-BMFF boxes; false for anything it cannot follow.
 */
export function heifHasTransform(buffer: Uint8Array): boolean {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const meta = findBox(view, 0, view.byteLength, 'meta');
  if (!meta) return false;
  const iprp = findBox(view, meta.contentStart + 4, meta.end, 'iprp'); // meta is a full box: 4 bytes version + flags
  if (!iprp) return false;
  const ipco = findBox(view, iprp.contentStart, iprp.end, 'ipco');
  if (!ipco) return false;
  return findBox(view, ipco.contentStart, ipco.end, 'irot') !== undefined || findBox(view, ipco.contentStart, ipco.end, 'imir') !== undefined;
}

interface BoxSpan {
  contentStart: number;
  end: number;
}

/** The first box of `type` among the siblings in [start, end). */
function findBox(view: DataView, start: number, end: number, type: string): BoxSpan | undefined {
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) return undefined;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at; // to the end of the enclosing box
    }
    if (size < header || at + size > end) return undefined;
    const name = String.fromCharCode(view.getUint8(at + 4), view.getUint8(at + 5), view.getUint8(at + 6), view.getUint8(at + 7));
    if (name === type) return { contentStart: at + header, end: at + size };
    at += size;
  }
  return undefined;
}

/**
 * The sharp operations that make a stored image upright for an EXIF orientation (1-8). sharp mirrors before it
 * rotates, so the transposing orientations 5 and 7 are a horizontal mirror then a quarter turn.
 */
export function orientationOperations(orientation: number | undefined): { flop: boolean; flip: boolean; rotate: number } {
  switch (orientation) {
    case 2: return { flop: true, flip: false, rotate: 0 };
    case 3: return { flop: false, flip: false, rotate: 180 };
    case 4: return { flop: false, flip: true, rotate: 0 };
    case 5: return { flop: true, flip: false, rotate: 270 };
    case 6: return { flop: false, flip: false, rotate: 90 };
    case 7: return { flop: true, flip: false, rotate: 90 };
    case 8: return { flop: false, flip: false, rotate: 270 };
    default: return { flop: false, flip: false, rotate: 0 };
  }
}
