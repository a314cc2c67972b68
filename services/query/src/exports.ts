/**
 * Every table route's answer as JSON, CSV or an Excel workbook (`.xlsx`), chosen by
 * `?format=` or the `Accept` header (`preferredFormat`), with a `Content-Disposition` that
 * names the file (`chanperf-partners-2026-04.xlsx`).
 *
 * Both files come from the same column list (`CsvColumn`). Every column of basis points
 * (`…Bps`) gets a percentage column beside it (`…Percent`): in CSV the exact percentage with
 * two decimals (`12.34`), in xlsx the fraction (0.1234) formatted `0.00%`.
 *
 * xlsx cells are real numbers, not text. Amounts arrive as exact decimal strings (`-12.30`);
 * a spreadsheet stores an IEEE double, which holds every decimal of up to 15 significant
 * digits exactly enough that it reads back as the same decimal (`Number(s)` then printing
 * with the string's decimals gives `s` again). So an amount of at most 15 significant digits
 * (below 10 000 000 000 000.00 with two minor digits) is written as a number formatted with
 * its own decimals (`#,##0.00`); a longer one is written as its text, never rounded.
 * Text cells are never formulas in xlsx (a string cell is not evaluated), so no guard is
 * needed there; CSV keeps its guard (csv.ts).
 */
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import {
  CSV_CONTENT_TYPE,
  preferredFormat,
  toCsv,
  XLSX_CONTENT_TYPE,
  type Cell,
  type CellKind,
  type CsvColumn,
  type TableFormat,
} from './csv.js';

/** Rows, their columns, and the file's name without its extension. */
export interface Table<Row> {
  readonly columns: readonly CsvColumn<Row>[];
  readonly rows: readonly Row[];
  /** The parts of the file name after `chanperf-`: `['partners', '2026-04']`; null parts are left out. */
  readonly name: readonly (string | null)[];
}

/** How a request asked for its answer: its `Accept` header and `?format=`. */
export interface Wants {
  readonly headers: { readonly accept?: string | undefined };
  readonly query: { readonly format?: TableFormat | undefined };
}

const DECIMAL = /^-?\d+(\.(\d+))?$/;
/** Significant digits an IEEE double gives back exactly as the same decimal. */
const EXACT_DIGITS = 15;
const BPS = /Bps$/;

/** The columns with a percentage column after each column of basis points. */
export function withPercents<Row>(columns: readonly CsvColumn<Row>[]): CsvColumn<Row>[] {
  return columns.flatMap((c) =>
    BPS.test(c.header)
      ? [c, { header: c.header.replace(BPS, 'Percent'), value: c.value, kind: 'percent' as const }]
      : [c],
  );
}

/** `chanperf-partners-2026-04.csv`: the parts joined, anything but A-Z a-z 0-9 . _ - replaced. */
export function exportFileName(name: readonly (string | null)[], ext: 'csv' | 'xlsx'): string {
  const parts = ['chanperf', ...name.filter((p): p is string => p !== null && p !== '')];
  return `${parts.map((p) => p.replace(/[^A-Za-z0-9._-]/g, '_')).join('-')}.${ext}`;
}

interface XlsxCell {
  readonly value: string | number | boolean | null;
  readonly numFmt?: string;
}

/** One cell: numbers as numbers (amounts exact, see above), bps percentages as fractions. */
function xlsxCell(cell: Cell, kind: CellKind | undefined): XlsxCell {
  if (cell === null || typeof cell === 'boolean') return { value: cell };
  if (typeof cell === 'number')
    return kind === 'percent' ? { value: cell / 10_000, numFmt: '0.00%' } : { value: cell };
  const decimal = kind === 'number' ? DECIMAL.exec(cell) : null;
  if (decimal === null) return { value: cell };
  const significant = cell.replace(/[-.]/g, '').replace(/^0+/, '').length;
  if (significant > EXACT_DIGITS) return { value: cell };
  const decimals = decimal[2]?.length ?? 0;
  return { value: Number(cell), numFmt: decimals === 0 ? '#,##0' : `#,##0.${'0'.repeat(decimals)}` };
}

/** The table as a one-sheet workbook: a bold, frozen header row with a filter, then the rows. */
export async function toXlsx<Row>(
  columns: readonly CsvColumn<Row>[],
  rows: readonly Row[],
  sheet: string,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'chanperf';
  addSheet(workbook, columns, rows, sheet);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Adds the table to `workbook` as a sheet: a bold, frozen header row with a filter, then the rows. */
export function addSheet<Row>(
  workbook: ExcelJS.Workbook,
  columns: readonly CsvColumn<Row>[],
  rows: readonly Row[],
  sheet: string,
): void {
  const ws = workbook.addWorksheet(sheet.slice(0, 31).replace(/[[\]:*?/\\]/g, '_'), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  ws.addRow(columns.map((c) => c.header)).font = { bold: true };
  for (const row of rows) {
    const cells = columns.map((c) => xlsxCell(c.value(row), c.kind));
    const added = ws.addRow(cells.map((c) => c.value));
    cells.forEach((c, i) => {
      if (c.numFmt !== undefined) added.getCell(i + 1).numFmt = c.numFmt;
    });
  }
  columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = Math.max(10, c.header.length + 2);
  });
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: Math.max(1, columns.length) } };
}

/** Sends `table` as a CSV or xlsx attachment named after it. */
export async function sendTable<Row>(
  reply: FastifyReply,
  format: 'csv' | 'xlsx',
  table: Table<Row>,
): Promise<FastifyReply> {
  const columns = withPercents(table.columns);
  void reply.header('content-disposition', `attachment; filename="${exportFileName(table.name, format)}"`);
  if (format === 'csv') return reply.type(CSV_CONTENT_TYPE).send(toCsv(columns, table.rows));
  const sheet = table.name[0] ?? 'chanperf';
  return reply.type(XLSX_CONTENT_TYPE).send(await toXlsx(columns, table.rows, sheet));
}

/** Adds `Accept` to the `Vary` header, keeping what is there (CORS adds `Origin`). */
export function varyOnAccept(reply: FastifyReply): void {
  const present = reply.getHeader('vary');
  const list =
    present === undefined
      ? []
      : String(present)
          .split(',')
          .map((v) => v.trim());
  if (!list.some((v) => v.toLowerCase() === 'accept')) list.push('Accept');
  void reply.header('vary', list.filter((v) => v !== '').join(', '));
}

/** `json` as it is, or `table` as CSV or xlsx when the request prefers one (`Vary: Accept` either way). */
export async function tableAnswer<Row, Json>(
  request: Wants,
  reply: FastifyReply,
  table: Table<Row>,
  json: Json,
): Promise<Json | FastifyReply> {
  varyOnAccept(reply);
  const format = preferredFormat(request.headers.accept, request.query.format);
  return format === 'json' ? json : sendTable(reply, format, table);
}
