/**
 * The feed's calendar: its months (`Month`, by index from the first month), the time of day
 * as `HH:MM:SS`, and the timestamps of its lines in the configured offset.
 */

export const pad2 = (n: number) => String(n).padStart(2, '0');

/** Seconds in an hour, for times of day given in seconds. */
export const HOUR = 3600;

let clockTable: string[] | undefined;
/** `HH:MM:SS` of a second of the day (0 … 86399). */
export function clock(second: number): string {
  if (clockTable === undefined) {
    clockTable = [];
    for (let t = 0; t < 86400; t++) {
      clockTable.push(`${pad2(Math.floor(t / 3600))}:${pad2(Math.floor(t / 60) % 60)}:${pad2(t % 60)}`);
    }
  }
  return clockTable[second] as string;
}

export interface Month {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** `YYYY-MM` */
  readonly label: string;
  readonly days: number;
}

/** The month `offset` months after `startYear`-`startMonth` (1–12). */
export function monthAt(startYear: number, startMonth: number, offset: number): Month {
  const index = startYear * 12 + (startMonth - 1) + offset;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return {
    year,
    month,
    label: `${String(year).padStart(4, '0')}-${pad2(month)}`,
    days: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}
