import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { separateRawSiblings } from './siblings.ts';

describe('separateRawSiblings', () => {
  it('keeps the JPEG or HEIC as the photo and sets its RAW aside; lone RAWs stay photos', () => {
    const files = ['/a/IMG_0001.CR2', '/a/IMG_0001.JPG', '/a/IMG_0002.nef', '/b/IMG_0001.dng', '/a/x.heic', '/a/X.ARW', '/a/y.mp4', '/a/y.dng']
      .map((p) => ({ path: p, size: 1 }));
    const { files: kept, siblings } = separateRawSiblings(files);
    assert.deepEqual(kept.map((f) => f.path), ['/a/IMG_0001.JPG', '/a/IMG_0002.nef', '/b/IMG_0001.dng', '/a/x.heic', '/a/y.mp4', '/a/y.dng']);
    assert.deepEqual(siblings, [{ raw: '/a/IMG_0001.CR2', photo: '/a/IMG_0001.JPG' }, { raw: '/a/X.ARW', photo: '/a/x.heic' }]);
  });
});
