import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_NAME_LENGTH, cleanName, escapeControls, normaliseName } from './names.ts';

test('terminal control sequences are removed from names (OSC title, SGR colours, BEL, C1 CSI)', () => {
  assert.equal(cleanName('\x1b]0;pwned\x07Alice'), ']0;pwnedAlice');
  assert.equal(cleanName('\x1b[31mBob\x1b[0m'), '[31mBob[0m');
  assert.equal(cleanName('Car\u009b2Jol'), 'Car2Jol');
  assert.equal(cleanName('Dan\r\nEve'), 'DanEve');
  assert.doesNotMatch(cleanName('\x1b]0;x\x07\x1b[1mY')!, /[\x00-\x1f\x7f-\x9f]/u);
});

test('bidi overrides, zero-width and other invisible format characters are removed', () => {
  assert.equal(cleanName('\u202Eevil\u202C'), 'evil');
  assert.equal(cleanName('An\u200Bna\uFEFF'), 'Anna');
  assert.equal(cleanName('\u2066Tag\u{E0041}\u2069'), 'Tag');
});

test('names with nothing visible are refused', () => {
  for (const raw of ['', '   ', '\u200B\u200B', '\u202E\u202C', '\u200D', '\u3164', '\x1b\x07', '\u2800\u00A0']) {
    assert.equal(cleanName(raw), undefined, JSON.stringify(raw));
    assert.throws(() => normaliseName(raw, 'persons.name'), /persons\.name/u);
  }
});

test('NFC, white space folded, joiners kept only between visible characters', () => {
  assert.equal(cleanName('Jose\u0301'), 'Jos\u00e9');
  assert.equal(cleanName('  Mary \t  Ann  '), 'Mary Ann');
  // Persian: ZWNJ inside a word is part of its spelling.
  assert.equal(cleanName('\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'), '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645');
  assert.equal(cleanName('\u200DZoe\u200D'), 'Zoe');
  assert.equal(cleanName('\u{1F468}\u200D\u{1F469}'), '\u{1F468}\u200D\u{1F469}');
});

test('names are capped at MAX_NAME_LENGTH graphemes, never inside one', () => {
  assert.equal(cleanName('a'.repeat(5000))!.length, MAX_NAME_LENGTH);
  const flags = '\u{1F1EB}\u{1F1F7}'.repeat(MAX_NAME_LENGTH + 5);
  const capped = cleanName(flags)!;
  assert.equal([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(capped)].length, MAX_NAME_LENGTH);
});

test('escapeControls shows control and bidi characters as escapes and leaves the rest', () => {
  assert.equal(escapeControls('\x1b]0;t\x07A\u202Eb'), '\\x1b]0;t\\x07A\\u202eb');
  assert.equal(escapeControls('Zoë \u{1F468} 漢字'), 'Zoë \u{1F468} 漢字');
  assert.doesNotMatch(escapeControls('\x00\x1b\x7f\x9b\u2028'), /[\x00-\x1f\x7f-\x9f\u2028]/u);
});
