/**
 * `createLogger`'s destination and `gatherLines`: lines are written one call each, except inside
 * `gatherLines`, where they are written together — once, when the function returns or throws,
 * in the order they were logged, whatever logger sharing the destination logged them.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, gatherLines, type LogFormat } from './logger.js';

/** A destination that keeps each write it is given, as a string. */
function recording() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  // What pino calls for a synchronous destination: write(string).
  const destination = Object.assign(stream, {
    write: (chunk: string) => {
      writes.push(chunk);
      return true;
    },
  });
  return { writes, destination };
}

const logger = (format: LogFormat = 'json') => {
  const r = recording();
  return { ...r, log: createLogger({ service: 'test', level: 'info', format, destination: r.destination }) };
};

const messages = (writes: readonly string[]) =>
  writes
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { msg: string; service: string }).msg);

describe('gatherLines', () => {
  it('given lines logged outside it, when logged, then each is written on its own', () => {
    const { writes, log } = logger();
    log.info('a');
    log.info('b');
    expect(writes).toHaveLength(2);
  });

  it('given lines logged inside it, when it returns, then they are written in one write, in order, as they would have been', () => {
    const { writes, log } = logger();
    const answer = gatherLines(log, () => {
      log.info({ n: 1 }, 'a');
      log.child({ service: 'part' }).info('b');
      log.debug('not at this level');
      log.warn('c');
      expect(writes).toHaveLength(0);
      return 42;
    });
    expect(answer).toBe(42);
    expect(writes).toHaveLength(1);
    expect(messages(writes)).toEqual(['a', 'b', 'c']);
    const lines = writes[0]!
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.service)).toEqual(['test', 'part', 'test']);
    expect(lines[0]).toMatchObject({ n: 1, level: 30 });
    log.info('after');
    expect(writes).toHaveLength(2);
  });

  it('given a function that throws, when it throws, then its lines are written and the error goes on', () => {
    const { writes, log } = logger();
    expect(() =>
      gatherLines(log, () => {
        log.info('before the failure');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(messages(writes)).toEqual(['before the failure']);
  });

  it('given gathering inside gathering, when both return, then the lines are written once, by the outer one', () => {
    const { writes, log } = logger();
    gatherLines(log, () => {
      log.info('a');
      gatherLines(log, () => log.info('b'));
      expect(writes).toHaveLength(0);
      log.info('c');
    });
    expect(writes).toHaveLength(1);
    expect(messages(writes)).toEqual(['a', 'b', 'c']);
  });

  it('given nothing logged, when it returns, then nothing is written', () => {
    const { writes, log } = logger();
    gatherLines(log, () => undefined);
    expect(writes).toHaveLength(0);
  });

  it('given a logger not made by createLogger, when lines are logged inside it, then they are written as that logger writes them', () => {
    const { writes, destination } = recording();
    const log = pino({ base: null }, destination);
    gatherLines(log, () => {
      log.info('a');
      log.info('b');
    });
    expect(writes).toHaveLength(2);
  });

  it('given the pretty format, when lines are gathered, then every line is printed', () => {
    const { writes, log } = logger('pretty');
    gatherLines(log, () => {
      log.info('first line');
      log.info('second line');
    });
    const text = writes.join('');
    expect(text).toContain('first line');
    expect(text).toContain('second line');
  });
});
