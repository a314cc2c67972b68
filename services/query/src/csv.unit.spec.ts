import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, guardFormula, toCsv, wantsCsv } from './csv.js';

describe('csvField (RFC 4180 quoting)', () => {
  it('leaves plain fields alone and writes null as an empty field', () => {
    expect(csvField('CH-A')).toBe('CH-A');
    expect(csvField(-12.3)).toBe('-12.3');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
  });

  it('quotes fields with a comma, a quote, CR or LF, doubling the quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('neutralizes a formula in every text cell (names, tier ids, channel ids), never in figures', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvField('+SUM(1,2)')).toBe(`"'+SUM(1,2)"`);
    expect(csvField('-2-3')).toBe("'-2-3");
    // A channel id that looks like a number is still text.
    expect(csvField('-23')).toBe("'-23");
    expect(csvField('\tTAB')).toBe("'\tTAB");
    expect(csvField('\rCR')).toBe(`"'\rCR"`);
    expect(csvField('CH-A')).toBe('CH-A');
    // Figures: numbers, and decimal strings in a number column, are written as they are.
    expect(csvField(-400)).toBe('-400');
    expect(csvField('-400.00', 'number')).toBe('-400.00');
    expect(csvField('-400.00', 'text')).toBe("'-400.00");
    // A number column that holds something else is guarded all the same.
    expect(csvField('-1+2', 'number')).toBe("'-1+2");
    expect(csvField('=1', 'number')).toBe("'=1");
  });

  it('has one guard: guardFormula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(guardFormula(`${start}x`)).toBe(`'${start}x`);
    expect(guardFormula('x=1')).toBe('x=1');
    expect(guardFormula('')).toBe('');
  });
});

describe('toCsv', () => {
  it('round-trips through an independent parser', () => {
    const rows = [
      { id: 'CH-A', name: '华北总代, "North"\nDistribution', net: '-400.00', share: null },
      { id: 'CH-B', name: ' padded ', net: '0.00', share: 2500 },
    ];
    const text = toCsv(
      [
        { header: 'id', value: (r: (typeof rows)[number]) => r.id },
        { header: 'name', value: (r) => r.name },
        { header: 'net', value: (r) => r.net, kind: 'number' },
        { header: 'share', value: (r) => r.share, kind: 'number' },
      ],
      rows,
    );
    expect(text.startsWith('\uFEFFid,name,net,share\r\n')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parse(text, { bom: true, columns: true })).toEqual([
      { id: 'CH-A', name: '华北总代, "North"\nDistribution', net: '-400.00', share: '' },
      { id: 'CH-B', name: ' padded ', net: '0.00', share: '2500' },
    ]);
  });
});

describe('wantsCsv (content negotiation)', () => {
  it('follows ?format= first', () => {
    expect(wantsCsv('application/json', 'csv')).toBe(true);
    expect(wantsCsv('text/csv', 'json')).toBe(false);
  });

  it('picks CSV only when text/csv ranks above JSON', () => {
    expect(wantsCsv(undefined, undefined)).toBe(false);
    expect(wantsCsv('*/*', undefined)).toBe(false);
    expect(wantsCsv('text/csv', undefined)).toBe(true);
    expect(wantsCsv('text/csv, */*;q=0.1', undefined)).toBe(true);
    expect(wantsCsv('application/json, text/csv;q=0.5', undefined)).toBe(false);
    expect(wantsCsv('text/csv;q=0.2, application/json;q=0.9', undefined)).toBe(false);
    expect(wantsCsv('text/html', undefined)).toBe(false);
  });
});
