/**
 * Progress of long work (`replay`, `ingest`, `project`, `rebuild`; `demo` may call
 * `startProgress` too) on stderr, for whoever reads it:
 *
 * - a terminal (a person watching): one line, redrawn at most every 200 ms, with the events
 *   done, events/s, the position, and the share done and the time left when the size is known;
 *   the last state stays on screen when the work ends;
 * - anything else (a log shipper, a CI log): nothing while it runs, then one summary line,
 *   a pino line like every other line there (level info: CHANPERF_LOG_LEVEL=warn hides it);
 * - `--quiet`: nothing.
 *
 * The CLI's log lines go through `logStream`, which takes the progress line off the terminal
 * before a log line is written and draws it again after, so the two never share a line.
 */
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { FileProgress } from './pipeline.js';

/** Where the work stands. */
export interface ProgressFigures {
  /** Events handled by this run. */
  readonly events: number;
  /** Seconds since this run began. */
  readonly seconds: number;
  /** Where the work is, in words: `line 1,200`, `position 5,000`. */
  readonly position: string;
  /** How much of the whole is done (file bytes, log positions), when the whole is known. */
  readonly share?: { readonly done: number; readonly total: number; readonly start: number };
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** `h:mm:ss` or `m:ss`. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const [h, m, sec] = hms.map((n) => String(n).padStart(2, '0')) as [string, string, string];
  return hms[0] === 0 ? `${Number(m)}:${sec}` : `${Number(h)}:${m}:${sec}`;
}

/** Events per second, or undefined before there is a rate to tell. */
function rate(f: ProgressFigures): number | undefined {
  return f.seconds > 0 ? f.events / f.seconds : undefined;
}

/** The terminal's line: `replay feed.ndjson  45% 12,000 events  3,000 events/s  line 12,000  ETA 0:05`. */
export function progressLine(label: string, f: ProgressFigures): string {
  const parts = [label];
  if (f.share !== undefined && f.share.total > 0) {
    parts.push(`${Math.min(100, Math.floor((f.share.done / f.share.total) * 100))}%`);
  }
  parts.push(`${count(f.events)} events`);
  const perSecond = rate(f);
  if (perSecond !== undefined) parts.push(`${count(perSecond)} events/s`);
  parts.push(f.position);
  const eta = timeLeft(f);
  if (eta !== undefined) parts.push(`ETA ${clock(eta)}`);
  return parts.join('  ');
}

/** Seconds left at this run's pace so far, when the whole is known and some of it is done. */
function timeLeft(f: ProgressFigures): number | undefined {
  const s = f.share;
  if (s === undefined || f.seconds <= 0 || s.done <= s.start) return undefined;
  return ((s.total - s.done) * f.seconds) / (s.done - s.start);
}

export type ProgressMode = 'terminal' | 'summary' | 'quiet';

/** How progress is shown: nothing with `--quiet`, a redrawn line on a terminal, else one summary. */
export function progressMode(
  quiet: boolean | undefined,
  stderr: { isTTY?: boolean } = process.stderr,
): ProgressMode {
  if (quiet === true) return 'quiet';
  return stderr.isTTY === true ? 'terminal' : 'summary';
}

export interface Progress {
  /** Where the work stands now (redraws the terminal line when due). */
  update(figures: Omit<ProgressFigures, 'seconds'>): void;
  /** The work is done: the final line (terminal), or the summary log line. */
  finish(): void;
}

/** The terminal's progress line now on screen, if any: `logStream` steps around it. */
let onScreen: string | undefined;

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes `text` to stderr now, whole. Once `process.stderr` exists, a pipe on fd 2 is
 * non-blocking: a reader that falls behind makes a write answer EAGAIN, or take part of it.
 */
function writeErr(text: string): void {
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(2, rest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1); // the reader's turn
    }
  }
}

/** stderr for the CLI's log lines: they never land on the progress line. */
export const logStream = new Writable({
  write(chunk: Buffer | string, _encoding, done) {
    if (onScreen !== undefined) writeErr('\r\x1b[K');
    writeErr(chunk.toString());
    if (onScreen !== undefined) writeErr(onScreen);
    done();
  },
});

/** Ends the terminal's progress line, if one is on screen, so a failure's line starts afresh. */
export function leaveProgressLine(): void {
  if (onScreen !== undefined) writeErr('\n');
  onScreen = undefined;
}

/** A file's ingestion (`ingestFile`'s `progress`) as progress figures: bytes read of the file's size. */
export function fileFigures(p: FileProgress): Omit<ProgressFigures, 'seconds'> {
  return {
    events: p.lines,
    position: `line ${count(p.line)}`,
    share: { done: p.offset, total: p.size, start: p.startOffset },
  };
}

export function startProgress(o: {
  /** What is being done: `replay feed.ndjson`. */
  readonly label: string;
  readonly mode: ProgressMode;
  readonly logger: Logger;
  /** Seconds on a monotonic clock (tests give their own). */
  readonly now?: () => number;
  readonly write?: (text: string) => void;
}): Progress {
  const now = o.now ?? (() => performance.now() / 1000);
  const write = o.write ?? writeErr;
  const started = now();
  let last: ProgressFigures = { events: 0, seconds: 0, position: 'starting' };
  let drawnAt = Number.NEGATIVE_INFINITY;
  const draw = (end: string) => {
    const line = progressLine(o.label, last);
    write(`\r\x1b[K${line}${end}`);
    onScreen = end === '' ? line : undefined;
  };
  return {
    update(figures) {
      const t = now();
      last = { ...figures, seconds: t - started };
      if (o.mode === 'terminal' && t - drawnAt >= 0.2) {
        drawnAt = t;
        draw('');
      }
    },
    finish() {
      last = { ...last, seconds: now() - started };
      if (o.mode === 'terminal') draw('\n');
      if (o.mode !== 'summary') return;
      const perSecond = rate(last);
      o.logger.info(
        {
          events: last.events,
          seconds: Number(last.seconds.toFixed(3)),
          eventsPerSecond: perSecond === undefined ? null : Math.round(perSecond),
          position: last.position,
        },
        `${o.label}: ${count(last.events)} events in ${last.seconds.toFixed(1)} s, ${last.position}`,
      );
    },
  };
}
