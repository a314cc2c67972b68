/**
 * CSV (RFC 4180) for the month tables, so analysts can open them in a spreadsheet.
 *
 * Written here rather than taken from a library: the whole of RFC 4180 writing is the quoting
 * rule below, and the tables are small flat rows already in memory. The tests parse the
 * output back with an independent parser (csv-parse) and compare it with the JSON answer.
 *
 * Choices: CRLF line ends (RFC 4180); a UTF-8 byte-order mark first, because spreadsheet
 * programs otherwise misread UTF-8 partner names (e.g. Chinese); null is an empty field;
 * booleans are `true`/`false`.
 *
 * Formula injection (OWASP "CSV injection"): every text cell goes through one guard,
 * `guardFormula`, which puts a single quote before a cell starting with = + - @ tab or CR, so
 * a spreadsheet shows it as text instead of evaluating it. Text is every string the data
 * brings — names and regions, but also channel ids (`-2-3`) and tier ids (`=cmd|…`) from
 * ProgramPublished — so strings are guarded by default. Only a column declared `number`
 * (figures: JS numbers, or exact decimal strings such as amounts `-12.30`) is written as it
 * is, and even there a string that is not a plain decimal number is guarded.
 */

export type Cell = string | number | boolean | null;

/** `text` (the default): guarded; `number`: a figure, written as it is. */
export type CellKind = 'text' | 'number';

export interface CsvColumn<Row> {
  readonly header: string;
  readonly value: (row: Row) => Cell;
  /** `number` for figures (numbers, decimal amounts); anything else is text and guarded. */
  readonly kind?: CellKind;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';
const BOM = '\uFEFF';
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const FORMULA_START = /^[=+\-@\t\r]/;
/** What a `number` column may hold unguarded: an optionally negative decimal. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The one formula guard: a single quote before text that starts like a formula. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One field, quoted when it holds a quote, comma, CR or LF (or edge spaces). Strings are
 * guarded against formulas unless `kind` is `number` and the string is a plain decimal;
 * numbers and booleans are written as they are.
 */
export function csvField(cell: Cell, kind: CellKind = 'text'): string {
  if (cell === null) return '';
  let s = String(cell);
  if (typeof cell === 'string' && !(kind === 'number' && DECIMAL.test(cell))) s = guardFormula(s);
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A whole table: BOM, header line, one line per row, every line ended by CRLF. */
export function toCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row), c.kind)).join(','));
  return BOM + lines.map((l) => `${l}\r\n`).join('');
}

interface MediaRange {
  readonly type: string;
  readonly q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header.split(',').flatMap((part) => {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (type === '') return [];
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return [{ type, q: Number.isFinite(q) ? q : 0 }];
  });
}

/**
 * Whether the client prefers CSV: `?format=` decides when given; else the `Accept` header,
 * CSV only when `text/csv` (or `text/*`) ranks strictly above JSON. Anything else gets JSON.
 */
export function wantsCsv(accept: string | undefined, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  if (accept === undefined) return false;
  const ranges = parseAccept(accept);
  const qOf = (...types: string[]) => {
    for (const t of types) {
      const hit = ranges.find((r) => r.type === t);
      if (hit !== undefined) return hit.q;
    }
    return 0;
  };
  return qOf('text/csv', 'text/*') > qOf('application/json', 'application/*', '*/*');
}
