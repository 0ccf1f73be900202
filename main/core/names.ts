/**
 * One normalisation for every way a person's name arrives: typed in the app (API), on the command line, read from
 * a photo's XMP regions or from an imported JSON document. A name from a file is hostile until cleaned: terminal
 * control sequences (ESC ] 0 ; title BEL), right-to-left overrides that show "gpj.exe" as "exe.jpg", and names
 * made only of zero-width characters all arrive that way.
 *
 * The rule: NFC; C0/C1 controls, bidirectional controls and every other invisible format character (Unicode
 * category Cf, the tag characters included) removed, except a zero-width joiner or non-joiner between two
 * visible characters (Persian and Indic names, emoji sequences need them); blank-looking letters (Hangul fillers,
 * Braille blank) removed; runs of white space made one space, trimmed; at most MAX_NAME_LENGTH characters, cut
 * between graphemes. A name with no visible character left is refused.
 *
 * Also here, for every command's output: escapeControls, which shows control characters as \x1b-style escapes.
 */

/** Longest name kept, in user-perceived characters (graphemes). */
export const MAX_NAME_LENGTH = 200;

export class InvalidNameError extends Error {
  override readonly name = 'InvalidNameError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

const JOINERS = '\u200C\u200D';
/** Letters and symbols that draw nothing: Hangul fillers, halfwidth Hangul filler, Braille blank, Mongolian vowel separator. */
const BLANK_LETTERS = /[\u115F\u1160\u3164\uFFA0\u2800\u180E]/gu;
/** Controls, format characters (bidi overrides, zero-width space, BOM, tags...), line and paragraph separators, noncharacters, lone surrogates. */
const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}\uFFFE\uFFFF\p{Cs}]|(?![\u200C\u200D])\p{Cf}/gu;
/** What counts as something to see: a letter, digit, punctuation or symbol. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** The cleaned name, or undefined when nothing visible remains. Never throws. */
export function cleanName(raw: string): string | undefined {
  let text = raw.normalize('NFC').replace(INVISIBLE, '').replace(BLANK_LETTERS, '');
  text = text.replace(/\s+/gu, ' ').trim();
  // A joiner counts only between two visible characters; elsewhere (at the ends, beside a space, doubled) it goes.
  text = text.replace(/[\u200C\u200D]+/gu, (run, at: number, whole: string) => {
    const before = whole[at - 1], after = whole[at + run.length];
    return before && after && before !== ' ' && after !== ' ' ? run[0]! : '';
  });
  text = text.trim();
  if (!VISIBLE.test(text.replace(new RegExp(`[${JOINERS}]`, 'gu'), ''))) return undefined;
  return capGraphemes(text, MAX_NAME_LENGTH);
}

/** The cleaned name; refuses (InvalidNameError naming `field`) a name with nothing visible in it. */
export function normaliseName(raw: string, field = 'name'): string {
  const cleaned = cleanName(raw);
  if (cleaned === undefined) {
    throw new InvalidNameError(field, raw.trim() === '' ? 'a name cannot be empty' : `${escapeControls(JSON.stringify(raw))} has no visible character`);
  }
  return cleaned;
}

/** Whether cleaning changes `raw` (counted by the fault suite as a hostile name cleaned). */
export function nameNeedsCleaning(raw: string): boolean {
  return cleanName(raw) !== raw;
}

function capGraphemes(text: string, limit: number): string {
  if (text.length <= limit) return text; // every grapheme is at least one UTF-16 unit
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let out = '';
  let count = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (++count > limit) break;
    out += segment;
  }
  return out.trim();
}

/** Characters a terminal acts on or that reorder text: C0 and C1 controls, DEL, bidi controls, line separators. */
const TERMINAL_UNSAFE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu;

/**
 * Text made safe to print on a terminal: each control or bidi character shown as an escape (\x1b, \u202e), so a
 * name, path or message from a file can neither move the cursor, set the title or colours, nor reorder the line.
 */
export function escapeControls(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (char) => {
    const code = char.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
