import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { fileFigures, progressLine, progressMode, startProgress } from './progress.js';

/** A pino logger whose lines are kept, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('progressLine (the terminal line, from figures alone)', () => {
  it('given a file a quarter read in 10 s from its start, then %, events/s, the line and the time left', () => {
    const line = progressLine('replay feed.ndjson', {
      events: 50_000,
      seconds: 10,
      position: 'line 50,000',
      share: { done: 250, total: 1000, start: 0 },
    });
    // 250 of 1000 bytes in 10 s: 750 bytes left at 25 bytes/s is 30 s.
    expect(line).toBe('replay feed.ndjson  25%  50,000 events  5,000 events/s  line 50,000  ETA 0:30');
  });

  it('given a resumed file, then the pace counts only what this run read', () => {
    const line = progressLine('ingest feed.ndjson', {
      events: 1000,
      seconds: 4,
      position: 'line 9,000',
      share: { done: 900, total: 1000, start: 800 },
    });
    // 100 bytes in 4 s; 100 left: 4 s more.
    expect(line).toBe('ingest feed.ndjson  90%  1,000 events  250 events/s  line 9,000  ETA 0:04');
  });

  it('given hours left, then h:mm:ss', () => {
    const line = progressLine('rebuild', {
      events: 1,
      seconds: 36,
      position: 'position 1 of 1,001',
      share: { done: 1, total: 1001, start: 0 },
    });
    expect(line).toBe('rebuild  0%  1 events  0 events/s  position 1 of 1,001  ETA 10:00:00');
  });

  it('given no known size and no time yet, then neither %, nor pace, nor ETA', () => {
    expect(progressLine('project', { events: 0, seconds: 0, position: 'starting' })).toBe(
      'project  0 events  starting',
    );
  });

  it('maps a batch of a file to bytes read of its size', () => {
    expect(fileFigures({ lines: 7, line: 12, offset: 300, startOffset: 100, size: 900 })).toEqual({
      events: 7,
      position: 'line 12',
      share: { done: 300, total: 900, start: 100 },
    });
  });
});

describe('progressMode', () => {
  it('is quiet with --quiet, a terminal line on a TTY, else one summary', () => {
    expect(progressMode(true, { isTTY: true })).toBe('quiet');
    expect(progressMode(undefined, { isTTY: true })).toBe('terminal');
    expect(progressMode(false, {})).toBe('summary');
  });
});

describe('startProgress', () => {
  const figures = (events: number) => ({ events, position: `line ${events}` });

  it('on a terminal, redraws at most every 200 ms and leaves the last line with a newline', () => {
    let t = 0;
    const written: string[] = [];
    const { logger, lines } = capturedLogger();
    const progress = startProgress({
      label: 'replay f',
      mode: 'terminal',
      logger,
      now: () => t,
      write: (s) => written.push(s),
    });
    progress.update(figures(1)); // t = 0: drawn
    t = 0.1;
    progress.update(figures(2)); // too soon
    t = 0.3;
    progress.update(figures(3)); // drawn
    t = 0.4;
    progress.finish();
    expect(written).toEqual([
      '\r\x1b[Kreplay f  1 events  line 1',
      '\r\x1b[Kreplay f  3 events  10 events/s  line 3',
      '\r\x1b[Kreplay f  3 events  8 events/s  line 3\n',
    ]);
    expect(lines).toEqual([]);
  });

  it('elsewhere, writes nothing while running and logs one summary at the end', () => {
    let t = 0;
    const written: string[] = [];
    const { logger, lines } = capturedLogger();
    const progress = startProgress({
      label: 'ingest f',
      mode: 'summary',
      logger,
      now: () => t,
      write: (s) => written.push(s),
    });
    for (let i = 1; i <= 5; i++) {
      t = i;
      progress.update(figures(i * 100));
    }
    t = 5;
    progress.finish();
    expect(written).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      events: 500,
      seconds: 5,
      eventsPerSecond: 100,
      position: 'line 500',
      msg: 'ingest f: 500 events in 5.0 s, line 500',
    });
  });

  it('with --quiet, neither writes nor logs', () => {
    const written: string[] = [];
    const { logger, lines } = capturedLogger();
    const progress = startProgress({ label: 'x', mode: 'quiet', logger, write: (s) => written.push(s) });
    progress.update(figures(1));
    progress.finish();
    expect(written).toEqual([]);
    expect(lines).toEqual([]);
  });
});
