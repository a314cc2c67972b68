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

/**
 * `text` (the default): guarded; `number`: a figure, written as it is; `percent`: basis points
 * (a number) written as a percentage with two decimals, exact (1234 → `12.34`).
 */
export type CellKind = 'text' | 'number' | 'percent';

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
  if (kind === 'percent' && typeof cell === 'number') return bpsAsPercent(cell);
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

/** Basis points as an exact percentage with two decimals: 1234 → `12.34`, -5 → `-0.05`. */
export function bpsAsPercent(bps: number): string {
  const abs = Math.abs(bps);
  return `${bps < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The formats a table route answers in. */
export type TableFormat = 'json' | 'csv' | 'xlsx';
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

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
 * The format the client prefers: `?format=` decides when given; else the `Accept` header, CSV
 * or xlsx only when its type ranks strictly above JSON (xlsx over CSV on a tie). Anything
 * else (no header, any type, unknown types) gets JSON.
 */
export function preferredFormat(accept: string | undefined, format: TableFormat | undefined): TableFormat {
  if (format !== undefined) return format;
  if (accept === undefined) return 'json';
  const ranges = parseAccept(accept);
  const qOf = (...types: string[]) => {
    for (const t of types) {
      const hit = ranges.find((r) => r.type === t);
      if (hit !== undefined) return hit.q;
    }
    return 0;
  };
  const json = qOf('application/json', 'application/*', '*/*');
  const xlsx = qOf(XLSX_CONTENT_TYPE);
  const csv = qOf('text/csv', 'text/*');
  if (xlsx > json && xlsx >= csv) return 'xlsx';
  return csv > json ? 'csv' : 'json';
}

/** Whether the client prefers CSV (`preferredFormat` is `csv`). */
export function wantsCsv(accept: string | undefined, format: TableFormat | undefined): boolean {
  return preferredFormat(accept, format) === 'csv';
}
