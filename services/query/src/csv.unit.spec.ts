import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, toCsv, wantsCsv } from './csv.js';

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

  it('neutralizes a formula only in free-text columns, never in figures', () => {
    expect(csvField('=HYPERLINK("x")', true)).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)', true)).toBe("'@SUM(A1)");
    expect(csvField('-400.00')).toBe('-400.00');
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
        { header: 'name', value: (r) => r.name, text: true },
        { header: 'net', value: (r) => r.net },
        { header: 'share', value: (r) => r.share },
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
