/**
 * CSV (RFC 4180) for the month tables, so analysts can open them in a spreadsheet.
 *
 * Written here rather than taken from a library: the whole of RFC 4180 writing is the quoting
 * rule below, and the tables are small flat rows already in memory. The tests parse the
 * output back with an independent parser (csv-parse) and compare it with the JSON answer.
 *
 * Choices: CRLF line ends (RFC 4180); a UTF-8 byte-order mark first, because spreadsheet
 * programs otherwise misread UTF-8 partner names (e.g. Chinese); null is an empty field;
 * booleans are `true`/`false`. Free-text columns (names, regions: they come from ERP data)
 * that start like a formula (= + - @ tab CR) get a leading apostrophe so a spreadsheet shows
 * them as text instead of evaluating them (OWASP "CSV injection"); figures are never altered.
 */

export type Cell = string | number | boolean | null;

export interface CsvColumn<Row> {
  readonly header: string;
  readonly value: (row: Row) => Cell;
  /** Free text from outside: neutralize a leading formula character. */
  readonly text?: boolean;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';
const BOM = '\uFEFF';
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, quoted when it holds a quote, comma, CR or LF (or edge spaces). */
export function csvField(cell: Cell, text = false): string {
  if (cell === null) return '';
  let s = String(cell);
  if (text && FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A whole table: BOM, header line, one line per row, every line ended by CRLF. */
export function toCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row), c.text === true)).join(','));
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
