import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG, CatalogError, DEFAULT_DETECTOR, DEFAULT_EMBEDDER, catalogEntry, clusterThresholdFor } from './catalog.ts';
import { ModelFileError, readVerified, resolveModelFile } from './locate.ts';

test('every catalogued file is installed and matches its checksum and size', () => {
  for (const entry of CATALOG) {
    for (const file of entry.files) {
      const bytes = readVerified(entry.package, file.path, file.sha256);
      assert.equal(bytes.length, file.bytes, `${entry.id} ${file.path}`);
    }
  }
});

test('every entry records what the brief asks of it', () => {
  for (const entry of CATALOG) {
    assert.match(entry.version, /^\d+\.\d+\.\d+$/);
    assert.ok(entry.licence.length > 0 && entry.source.length > 0, entry.id);
    assert.ok(entry.input.width > 0 && entry.input.height > 0 && entry.input.range && entry.input.colorOrder, entry.id);
    assert.ok(entry.outputSize > 0, entry.id);
    for (const file of entry.files) assert.match(file.sha256, /^[0-9a-f]{64}$/);
  }
  assert.equal(catalogEntry(DEFAULT_EMBEDDER).task, 'embedder');
  assert.equal(catalogEntry(DEFAULT_DETECTOR).task, 'detector');
  assert.ok(CATALOG.filter((entry) => entry.task === 'embedder').length >= 2);
  assert.ok(CATALOG.filter((entry) => entry.task === 'detector').length >= 2);
  assert.ok(clusterThresholdFor(DEFAULT_EMBEDDER) > 0);
});

test('a tampered model file is refused with a message naming the file', () => {
  const entry = catalogEntry('tiny-face-detector');
  const file = entry.files[1]!;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-models-'));
  try {
    const copy = path.join(root, entry.package, file.path);
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    const bytes = fs.readFileSync(resolveModelFile(entry.package, file.path));
    bytes[100] = bytes[100]! ^ 0xff;
    fs.writeFileSync(copy, bytes);
    assert.throws(() => readVerified(entry.package, file.path, file.sha256, [root]), (error: unknown) => {
      assert.ok(error instanceof ModelFileError);
      assert.equal(error.file, copy);
      assert.match(error.message, /checksum mismatch for model file .*tiny_face_detector_model\.bin/);
      return true;
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a missing model file is named, with the folders searched', () => {
  assert.throws(() => resolveModelFile('@vladmandic/face-api', 'model/nothing.bin', ['/nonexistent']), /model file @vladmandic\/face-api\/model\/nothing\.bin not found .*\/nonexistent/);
});

test('unknown model ids list the known ones', () => {
  assert.throws(() => catalogEntry('facenet-9000', 'embedder'), (error: unknown) => error instanceof CatalogError && /dlib-resnet/.test(error.message));
});
