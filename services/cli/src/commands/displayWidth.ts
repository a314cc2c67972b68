/**
 * Columns in a terminal for the demo's tables: the display width of a string, not its length.
 * A character of Unicode's East Asian Wide or Fullwidth classes (UAX #11: CJK ideographs,
 * kana, Hangul, CJK punctuation, fullwidth forms — the ranges below) takes two columns, a
 * combining mark none, any other character one. That covers the partner names a Chinese
 * channel program has (`华东金桥商贸有限公司`, Latin, digits); emoji and other scripts' wide
 * characters are out of scope and count as one. A small table rather than a dependency:
 * the demo needs nothing more.
 */

/** Code point ranges (inclusive) of the Wide and Fullwidth classes that matter here. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi radicals, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, CJK compatibility
  [0x3400, 0x4dbf], // CJK Unified Ideographs Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff00, 0xff60], // Fullwidth forms
  [0xffe0, 0xffe6], // Fullwidth signs
  [0x20000, 0x3fffd], // CJK Unified Ideographs Extensions B and later
];

function columnsOf(codePoint: number): number {
  if (codePoint >= 0x0300 && codePoint <= 0x036f) return 0; // combining diacritical marks
  for (const [lo, hi] of WIDE) if (codePoint >= lo && codePoint <= hi) return 2;
  return 1;
}

/** Columns `text` takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += columnsOf(ch.codePointAt(0) ?? 0);
  return width;
}

/** `text` cut to at most `width` columns (never inside a character), then padded with spaces to `width`. */
export function fitColumns(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = columnsOf(ch.codePointAt(0) ?? 0);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return out + ' '.repeat(width - used);
}

/** `text` right-aligned in `width` columns (never cut). */
export function padColumnsStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}
