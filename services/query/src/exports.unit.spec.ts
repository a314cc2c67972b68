import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { bpsAsPercent, csvField, preferredFormat, XLSX_CONTENT_TYPE, type CsvColumn } from './csv.js';
import { exportFileName, toXlsx, withPercents } from './exports.js';

describe('percentages beside basis points', () => {
  it('writes bps as an exact percentage with two decimals', () => {
    expect(bpsAsPercent(1234)).toBe('12.34');
    expect(bpsAsPercent(-5)).toBe('-0.05');
    expect(bpsAsPercent(-25000)).toBe('-250.00');
    expect(bpsAsPercent(0)).toBe('0.00');
    expect(csvField(1000, 'percent')).toBe('10.00');
    expect(csvField(null, 'percent')).toBe('');
  });

  it('adds a …Percent column right after each …Bps column', () => {
    const columns: CsvColumn<{ g: number }>[] = [
      { header: 'net', value: () => '1.00', kind: 'number' },
      { header: 'growthBps', value: (r) => r.g, kind: 'number' },
    ];
    const out = withPercents(columns);
    expect(out.map((c) => [c.header, c.kind])).toEqual([
      ['net', 'number'],
      ['growthBps', 'number'],
      ['growthPercent', 'percent'],
    ]);
  });
});

describe('preferredFormat (content negotiation)', () => {
  it('lets ?format= decide, else picks the type the Accept header ranks strictly above JSON', () => {
    expect(preferredFormat('application/json', 'xlsx')).toBe('xlsx');
    expect(preferredFormat(XLSX_CONTENT_TYPE, undefined)).toBe('xlsx');
    expect(preferredFormat(`${XLSX_CONTENT_TYPE}, text/csv`, undefined)).toBe('xlsx');
    expect(preferredFormat(`text/csv, ${XLSX_CONTENT_TYPE};q=0.5`, undefined)).toBe('csv');
    expect(preferredFormat(`application/json, ${XLSX_CONTENT_TYPE};q=0.5`, undefined)).toBe('json');
    expect(preferredFormat('*/*', undefined)).toBe('json');
    expect(preferredFormat(undefined, undefined)).toBe('json');
  });
});

describe('exportFileName', () => {
  it('joins the parts after chanperf-, leaves out nulls and replaces unsafe characters', () => {
    expect(exportFileName(['partners', '2026-04'], 'csv')).toBe('chanperf-partners-2026-04.csv');
    expect(exportFileName(['alerts', null, '2026-04'], 'xlsx')).toBe('chanperf-alerts-2026-04.xlsx');
    expect(exportFileName(['partner', 'a"b/c', null], 'xlsx')).toBe('chanperf-partner-a_b_c.xlsx');
  });
});

describe('toXlsx', () => {
  it('writes amounts as exact numbers with their decimals, bps percentages as %, and too-long amounts as text', async () => {
    const rows = [
      { name: '=1+2', amount: '-12.30', bps: 1234, big: '12345678901234567.89', ok: true },
      { name: '华北', amount: '9999999999999.99', bps: null, big: '0.00', ok: false },
    ];
    type Row = (typeof rows)[number];
    const columns = withPercents<Row>([
      { header: 'name', value: (r) => r.name },
      { header: 'amount', value: (r) => r.amount, kind: 'number' },
      { header: 'growthBps', value: (r) => r.bps, kind: 'number' },
      { header: 'big', value: (r) => r.big, kind: 'number' },
      { header: 'ok', value: (r) => r.ok },
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx(columns, rows, 'test')) as unknown as ArrayBuffer);
    const ws = workbook.getWorksheet('test');
    const cell = (ref: string) => ({ value: ws?.getCell(ref).value, numFmt: ws?.getCell(ref).numFmt });
    expect(ws?.getRow(1).values).toEqual([
      undefined,
      'name',
      'amount',
      'growthBps',
      'growthPercent',
      'big',
      'ok',
    ]);
    // A string cell is never a formula in xlsx.
    expect(cell('A2')).toEqual({ value: '=1+2', numFmt: undefined });
    expect(cell('B2')).toEqual({ value: -12.3, numFmt: '#,##0.00' });
    expect(cell('B3')).toEqual({ value: 9999999999999.99, numFmt: '#,##0.00' });
    expect((cell('B3').value as number).toFixed(2)).toBe('9999999999999.99');
    expect(cell('C2')).toEqual({ value: 1234, numFmt: undefined });
    expect(cell('D2')).toEqual({ value: 0.1234, numFmt: '0.00%' });
    expect(cell('D3').value).toBeNull();
    // 19 significant digits: a double would round it, so it stays text.
    expect(cell('E2')).toEqual({ value: '12345678901234567.89', numFmt: undefined });
    expect(cell('F2').value).toBe(true);
  });
});
