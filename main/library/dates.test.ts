import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseDateTaken, fileDate, parseQuickTimeDate, parseXmpDateTaken } from './dates.ts';

describe('dates taken', () => {
  it('prefers EXIF, then XMP, then QuickTime, then the file date', () => {
    const mtime = Date.UTC(2021, 2, 4, 10, 20, 30);
    assert.deepEqual(chooseDateTaken({ exif: 'E', xmp: 'X', quicktime: 'Q' }, mtime), { takenAt: 'E', source: 'exif' });
    assert.deepEqual(chooseDateTaken({ xmp: 'X', quicktime: 'Q' }, mtime), { takenAt: 'X', source: 'xmp' });
    assert.deepEqual(chooseDateTaken({ quicktime: 'Q' }, mtime), { takenAt: 'Q', source: 'quicktime' });
    const file = chooseDateTaken({}, mtime);
    assert.equal(file.source, 'file');
    assert.equal(new Date(file.takenAt).getTime(), mtime, 'the file date is the same instant, with the local offset');
  });

  it('writes the file date with the local offset', () => {
    assert.match(fileDate(0), /^19(69|70)-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    assert.throws(() => fileDate(Number.NaN), /mtimeMs/);
  });

  it('reads XMP dates as attributes or elements, in order of preference', () => {
    assert.equal(parseXmpDateTaken('<rdf:Description xmp:CreateDate="2015-06-07T08:09:10+02:00" photoshop:DateCreated="2001-01-01"/>'), '2015-06-07T08:09:10+02:00');
    assert.equal(parseXmpDateTaken('<x><exif:DateTimeOriginal>2012-03-04T05:06:07.89Z</exif:DateTimeOriginal><xmp:CreateDate>2013-01-01T00:00:00</xmp:CreateDate></x>'), '2012-03-04T05:06:07Z');
    assert.equal(parseXmpDateTaken(Buffer.from('<d photoshop:DateCreated="1999-12-31"/>')), '1999-12-31T00:00:00');
    assert.equal(parseXmpDateTaken('<d xmp:CreateDate="0000:00:00 00:00:00"/>'), undefined);
    assert.equal(parseXmpDateTaken('<d xmp:ModifyDate="2015-06-07T08:09:10"/>'), undefined, 'a modification date is not a capture date');
  });

  it('reads QuickTime creation times and ignores the zero dates of clockless cameras', () => {
    assert.equal(parseQuickTimeDate('2020-05-17T09:30:00.000000Z'), '2020-05-17T09:30:00Z');
    assert.equal(parseQuickTimeDate('1904-01-01T00:00:00.000000Z'), undefined);
    assert.equal(parseQuickTimeDate('1970-01-01T00:00:00.000000Z'), undefined);
    assert.equal(parseQuickTimeDate('garbage'), undefined);
    assert.equal(parseQuickTimeDate(undefined), undefined);
  });
});
