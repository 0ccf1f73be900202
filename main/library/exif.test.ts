import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExifDateTaken } from './exif.ts';

/** A TIFF block: IFD0 with one pointer to an Exif IFD holding the given ASCII tags. */
function exifBlock(tags: Array<[number, string]>, littleEndian: boolean, prefix = true): Uint8Array {
  const exifIfdOffset = 8 + 2 + 12 + 4; // header, IFD0 (one entry, next-IFD link)
  let dataOffset = exifIfdOffset + 2 + tags.length * 12 + 4;
  const bytes = new Uint8Array(dataOffset + tags.reduce((sum, [, text]) => sum + text.length + 1, 0));
  const view = new DataView(bytes.buffer);
  bytes.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  view.setUint16(2, 42, littleEndian);
  view.setUint32(4, 8, littleEndian);
  view.setUint16(8, 1, littleEndian);
  view.setUint16(10, 0x8769, littleEndian);
  view.setUint16(12, 4, littleEndian); // LONG
  view.setUint32(14, 1, littleEndian);
  view.setUint32(18, exifIfdOffset, littleEndian);
  view.setUint16(exifIfdOffset, tags.length, littleEndian);
  tags.forEach(([tag, text], i) => {
    const entry = exifIfdOffset + 2 + i * 12;
    view.setUint16(entry, tag, littleEndian);
    view.setUint16(entry + 2, 2, littleEndian); // ASCII
    view.setUint32(entry + 4, text.length + 1, littleEndian);
    view.setUint32(entry + 8, dataOffset, littleEndian);
    bytes.set(Buffer.from(text, 'latin1'), dataOffset);
    dataOffset += text.length + 1;
  });
  return prefix ? Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), bytes]) : bytes;
}

describe('parseExifDateTaken', () => {
  it('reads DateTimeOriginal, either byte order, with or without the Exif prefix', () => {
    for (const littleEndian of [true, false]) {
      for (const prefix of [true, false]) {
        assert.equal(parseExifDateTaken(exifBlock([[0x9003, '2019:07:14 15:03:22']], littleEndian, prefix)), '2019-07-14T15:03:22');
      }
    }
  });

  it('appends OffsetTimeOriginal when the camera recorded it', () => {
    const block = exifBlock([[0x9003, '2021:01:02 03:04:05'], [0x9011, '+02:00']], false);
    assert.equal(parseExifDateTaken(block), '2021-01-02T03:04:05+02:00');
  });

  it('falls back to DateTimeDigitized', () => {
    assert.equal(parseExifDateTaken(exifBlock([[0x9004, '2001:02:03 04:05:06']], true)), '2001-02-03T04:05:06');
  });

  it('treats unset dates, garbage and truncated blocks as unknown', () => {
    assert.equal(parseExifDateTaken(exifBlock([[0x9003, '0000:00:00 00:00:00']], true)), undefined);
    assert.equal(parseExifDateTaken(exifBlock([[0x9003, '    :  :     :  :  ']], true)), undefined);
    assert.equal(parseExifDateTaken(Buffer.from('Exif\0\0garbage garbage', 'latin1')), undefined);
    assert.equal(parseExifDateTaken(exifBlock([[0x9003, '2019:07:14 15:03:22']], true).subarray(0, 30)), undefined);
    assert.equal(parseExifDateTaken(new Uint8Array(0)), undefined);
  });
});
