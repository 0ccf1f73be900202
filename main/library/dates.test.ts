import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import sharp from 'sharp';
import { decodeImage } from './decode.ts';
import { chooseDateTaken, fileDate, localTime, parseQuickTimeDate, parseXmpDateTaken } from './dates.ts';

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

describe('dates of decoded files', () => {
  it('a PNG with an XMP capture date gets it, marked xmp; without one, the file date', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'facet-dates-'));
    try {
      const pixels = sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } });
      const tagged = path.join(dir, 'scan.png'), plain = path.join(dir, 'plain.png');
      const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        + '<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:DateCreated="1987-06-05T04:03:02"/></rdf:RDF></x:xmpmeta>';
      await pixels.clone().png().withXmp(xmp).toFile(tagged);
      await pixels.clone().png().toFile(plain);
      await utimes(plain, new Date('2011-11-11T11:11:11Z'), new Date('2011-11-11T11:11:11Z'));
      const a = await decodeImage(tagged), b = await decodeImage(plain);
      if (a instanceof Error || b instanceof Error) assert.fail(String(a instanceof Error ? a : b));
      assert.deepEqual([a.takenAt, a.dateSource], ['1987-06-05T04:03:02', 'xmp']);
      assert.equal(b.dateSource, 'file');
      assert.equal(new Date(b.takenAt!).getTime(), Date.parse('2011-11-11T11:11:11Z'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('a QuickTime date (UTC) is kept as local time with its offset, so it falls on the day and month it was filmed', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
  try {
    assert.deepEqual(chooseDateTaken({ quicktime: '2020-05-31T23:30:00Z' }, 0), { takenAt: '2020-06-01T01:30:00+02:00', source: 'quicktime' });
    assert.equal(localTime('2020-01-15T12:00:00+05:00'), '2020-01-15T08:00:00+01:00');
    assert.equal(localTime('2020-01-15T12:00:00'), '2020-01-15T12:00:00', 'no zone: already local, as it is');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});
