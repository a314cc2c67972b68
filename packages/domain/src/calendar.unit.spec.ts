/**
 * Spec §1–2: an event belongs to the calendar month of its `occurredAt` in the deployment's
 * reporting time zone; timestamps are RFC 3339 with an offset and a real date and time.
 */
import { describe, expect, it } from 'vitest';
import {
  compareInstants,
  formatMonth,
  MonthClock,
  monthOfYear,
  parseMonth,
  parseTimestamp,
  type Instant,
} from './calendar.js';
import { defaultSettings } from './settings.js';
import {
  channelOf,
  close,
  monthOf,
  program,
  register,
  run,
  sale,
  settings,
  statuses,
} from './testing/specBuilders.js';

function instant(text: string): Instant {
  const i = parseTimestamp(text);
  if (i === undefined) throw new Error(`not a timestamp: ${text}`);
  return i;
}

describe('months', () => {
  it('given YYYY-MM, when parsed and formatted, then it round-trips and adjacent months differ by 1', () => {
    const dec = parseMonth('2025-12');
    const jan = parseMonth('2026-01');
    expect(dec).toBeDefined();
    expect(jan).toBe((dec ?? 0) + 1);
    expect(formatMonth(jan ?? 0)).toBe('2026-01');
    expect(formatMonth(parseMonth('0001-09') ?? 0)).toBe('0001-09');
  });

  it.each(['2026-00', '2026-13', '2026-1', '26-01', '2026/01', ' 2026-01'])(
    'given %s, when parsed as a month, then it is refused',
    (text) => {
      expect(parseMonth(text)).toBeUndefined();
    },
  );

  it('given the months of a year, when asking their month of year, then March, June, September and December are 2, 5, 8, 11', () => {
    expect(['2026-03', '2026-06', '2026-09', '2026-12'].map((m) => monthOfYear(parseMonth(m) ?? 0))).toEqual([
      2, 5, 8, 11,
    ]);
  });
});

describe('timestamps', () => {
  it('given the same instant written with different offsets, when parsed, then the instants are equal', () => {
    expect(compareInstants(instant('2026-02-01T00:00:00+08:00'), instant('2026-01-31T16:00:00Z'))).toBe(0);
    expect(compareInstants(instant('2026-01-31T11:00:00-05:00'), instant('2026-01-31T16:00:00.000Z'))).toBe(
      0,
    );
  });

  it('given fractions of a second, when compared, then they compare by value (trailing zeros do not matter)', () => {
    expect(compareInstants(instant('2026-01-01T00:00:00.5Z'), instant('2026-01-01T00:00:00.50Z'))).toBe(0);
    expect(compareInstants(instant('2026-01-01T00:00:00.05Z'), instant('2026-01-01T00:00:00.5Z'))).toBe(-1);
    expect(compareInstants(instant('2026-01-01T00:00:00Z'), instant('2026-01-01T00:00:00.000001Z'))).toBe(-1);
    expect(compareInstants(instant('2026-01-01T00:00:00.999999Z'), instant('2026-01-01T00:00:01Z'))).toBe(-1);
  });

  it.each([
    '2026-03-05T10:00:00',
    '2026-03-05t10:00:00Z',
    '2026-03-05T10:00:00z',
    '2026-02-30T00:00:00Z',
    '2026-03-05T24:00:00Z',
    '2016-12-31T23:59:60Z',
    '2026-03-05T10:00:00+24:00',
    '2026-03-05T10:00:00+08:60',
  ])('given %s, when parsed, then it is refused', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it('given 2024-02-29 (leap) and 2000-02-29 (leap century), when parsed, then they are real dates; 1900-02-29 is not', () => {
    expect(parseTimestamp('2024-02-29T12:00:00Z')).toBeDefined();
    expect(parseTimestamp('2000-02-29T12:00:00Z')).toBeDefined();
    expect(parseTimestamp('1900-02-29T12:00:00Z')).toBeUndefined();
  });
});

describe('the month of an instant in the reporting time zone', () => {
  const shanghai = new MonthClock('Asia/Shanghai');
  const utc = new MonthClock('UTC');
  const month = (clock: MonthClock, text: string) => formatMonth(clock.monthOf(instant(text)));

  it.each([
    ['2026-01-31T23:30:00+08:00', '2026-01', '2026-01'],
    ['2026-01-31T16:30:00Z', '2026-02', '2026-01'],
    ['2026-01-31T15:59:59.999Z', '2026-01', '2026-01'],
    ['2026-01-31T16:00:00Z', '2026-02', '2026-01'],
    ['2026-02-01T00:00:00+08:00', '2026-02', '2026-01'],
    ['2026-02-01T07:59:59+08:00', '2026-02', '2026-01'],
    ['2026-02-01T08:00:00+08:00', '2026-02', '2026-02'],
    ['2025-12-31T23:59:59-10:00', '2026-01', '2026-01'],
  ])('given %s, when mapped, then it is %s in Asia/Shanghai and %s in UTC', (text, inShanghai, inUtc) => {
    expect(month(shanghai, text)).toBe(inShanghai);
    expect(month(utc, text)).toBe(inUtc);
  });

  it('given a zone with daylight saving time, when an instant is just before and after local midnight of the 1st, then the months follow local time', () => {
    const ny = new MonthClock('America/New_York');
    // 1 Apr 2026 00:00 EDT (UTC-4) = 04:00Z
    expect(month(ny, '2026-04-01T03:59:59Z')).toBe('2026-03');
    expect(month(ny, '2026-04-01T04:00:00Z')).toBe('2026-04');
    // 1 Dec 2026 00:00 EST (UTC-5) = 05:00Z
    expect(month(ny, '2026-12-01T04:59:59Z')).toBe('2026-11');
    expect(month(ny, '2026-12-01T05:00:00Z')).toBe('2026-12');
  });

  it('given instants asked in any order (the clock caches), when asked again, then the answers do not change', () => {
    const clock = new MonthClock('Asia/Shanghai');
    const texts = [
      '2026-01-31T16:14:59Z',
      '2026-01-31T15:59:59Z',
      '2026-01-31T16:00:00Z',
      '2026-01-31T15:45:00Z',
    ];
    const first = texts.map((t) => month(clock, t));
    const second = [...texts]
      .reverse()
      .map((t) => month(clock, t))
      .reverse();
    expect(first).toEqual(['2026-02', '2026-01', '2026-02', '2026-01']);
    expect(second).toEqual(first);
  });
});

describe('time-zone month boundaries in a replay', () => {
  const inputs = [
    program(),
    register('CH-A', { at: '2026-01-02' }),
    sale({ channel: 'CH-A', at: '2026-01-31T23:30:00+08:00', amount: '100.00' }),
    sale({ channel: 'CH-A', at: '2026-01-31T16:30:00Z', amount: '7.00' }),
  ];

  it('given an Asia/Shanghai deployment, when a sale at 2026-01-31T23:30:00+08:00 and one at 2026-01-31T16:30:00Z arrive, then the first is January and the second February', () => {
    const { report } = run(inputs, defaultSettings);
    expect(monthOf(report, 'CH-A', '2026-01').sales).toBe('100.00');
    expect(monthOf(report, 'CH-A', '2026-02').sales).toBe('7.00');
  });

  it('given a UTC deployment, when the same two sales arrive, then both are January and there is no February', () => {
    const { report } = run(inputs, settings('UTC', 'CNY'));
    expect(monthOf(report, 'CH-A', '2026-01').sales).toBe('107.00');
    expect(channelOf(report, 'CH-A').months.map((m) => m.month)).toEqual(['2026-01']);
  });

  it('given a UTC deployment, when January is closed at 2026-01-31T23:30:00+08:00 (= 15:30Z), then PERIOD_NOT_ENDED; in Shanghai a close at 2026-02-01T00:30:00+08:00 is fine', () => {
    const utcRun = run(
      [register('CH-A'), close('2026-01', '2026-01-31T23:30:00+08:00')],
      settings('UTC', 'CNY'),
    );
    expect(statuses(utcRun.outcomes)).toEqual(['accepted', 'PERIOD_NOT_ENDED']);
    const shRun = run([register('CH-A'), close('2026-01', '2026-02-01T00:30:00+08:00')]);
    expect(statuses(shRun.outcomes)).toEqual(['accepted', 'accepted']);
  });

  it('given a registration at 2026-01-31T16:30:00Z, when replayed in Shanghai, then the channel is registered in February (its first month)', () => {
    const { report } = run([register('CH-B', { at: '2026-01-31T16:30:00Z' })]);
    expect(channelOf(report, 'CH-B').months.map((m) => m.month)).toEqual(['2026-02']);
    expect(report.program.months).toEqual([expect.objectContaining({ month: '2026-02', newChannels: 1 })]);
  });
});
