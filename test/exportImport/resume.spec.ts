/**
 * `chanperf import` when things go wrong, through the BUILT CLI (run `tsc -b` first): an
 * interrupted import (the state it leaves, and a real SIGKILL mid-way into EventStoreDB) is
 * completed by running it again, with nothing doubled; a second run changes nothing and says
 * so; a target holding another log, or ledgers of its own, is refused; a corrupt or truncated
 * file is refused naming the line, before anything is written; other settings are refused.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFeed } from '../../packages/feed-generator/src/index.js';
import { chanperfAsync } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';
import { cli, entriesOf, exportTo, importFile, leaveInterrupted, refused, run, Scratch } from './moves.js';

const scratch = new Scratch();
let full = ''; // the export of a generated feed: > 2 import batches of 1000
let text = '';
let basic = ''; // the export of basic.ndjson

beforeAll(async () => {
  const dir = scratch.dir();
  const feed = join(dir, 'feed.ndjson');
  await writeFeed(feed, { seed: 7, partners: 60, months: 4 });
  await cli(['ingest', feed, '--db', join(dir, 'source.db'), '--quiet']);
  full = join(dir, 'full.ndjson');
  text = await exportTo(full, ['--db', join(dir, 'source.db')]);
  await cli(['ingest', join(EXAMPLES, 'basic.ndjson'), '--db', join(dir, 'basic.db'), '--quiet']);
  basic = join(dir, 'basic.ndjson');
  await exportTo(basic, ['--db', join(dir, 'basic.db')]);
}, 180_000);

afterAll(() => scratch.cleanUp());

describe('chanperf import: an interrupted import, run again', () => {
  it.each(['SQLite', 'EventStoreDB'])(
    'into %s: completes it, nothing doubled; a third run changes nothing and says so',
    async (kind) => {
      const dir = scratch.dir();
      const server = kind === 'EventStoreDB' ? await scratch.standIn() : undefined;
      const target = { db: join(dir, 'target.db'), ...(server && { eventstore: server.connectionString }) };
      const args = ['--db', target.db, ...(server ? ['--eventstore', server.connectionString] : [])];
      const entries = entriesOf(full);
      await leaveInterrupted(target, entries.slice(0, 700));
      expect(await importFile(full, args)).toMatchObject({
        entries: entries.length,
        appended: entries.length - 700,
        ledgers: 'imported',
        changed: true,
        verified: true,
      });
      expect(await exportTo(join(dir, 'again.ndjson'), args)).toBe(text);
      expect(await importFile(full, args)).toMatchObject({
        appended: 0,
        ledgers: 'already imported',
        changed: false,
      });
      expect(await exportTo(join(dir, 'third.ndjson'), args)).toBe(text);
      if (server) {
        expect(server.log.all().filter((e) => e.streamId.startsWith('chanperf-'))).toHaveLength(
          entries.length,
        );
      }
    },
  );

  it('into EventStoreDB, killed (SIGKILL) after its first batch: the next run completes it', async () => {
    const dir = scratch.dir();
    const server = await scratch.standIn();
    const args = ['--eventstore', server.connectionString, '--db', join(dir, 'node', 'eventstoredb.db')];
    const entries = entriesOf(full);
    const child = chanperfAsync(['import', full, ...args], { CHANPERF_LOG_LEVEL: 'debug' });
    const killed = await new Promise<boolean>((resolve) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('imported through position')) child.kill('SIGKILL');
      });
      child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL'));
    });
    expect(killed).toBe(true);
    const summary = await importFile(full, args);
    expect(summary).toMatchObject({ ledgers: 'imported', verified: true });
    expect(summary.appended).toBeLessThan(entries.length); // the killed run had appended some
    expect(await exportTo(join(dir, 'after.ndjson'), args)).toBe(text);
    expect(server.log.all().filter((e) => e.streamId.startsWith('chanperf-'))).toHaveLength(entries.length);
  });
});

describe('chanperf import: refusals', () => {
  it('a target holding another log: refused naming the first position that differs', async () => {
    const dir = scratch.dir();
    await importFile(basic, ['--db', join(dir, 'basic.db')]);
    const message = await refused(['import', full, '--db', join(dir, 'basic.db')]);
    expect(message).toMatch(
      /is not a prefix of .*full\.ndjson's \(position 1 holds prog-1, line 2 of the file /,
    );
    // and a file shorter than the target's log
    await importFile(full, ['--db', join(dir, 'full.db')]);
    expect(await refused(['import', basic, '--db', join(dir, 'full.db')])).toMatch(
      /it has \d+ entries, the file 32\)/,
    );
  });

  it('a target with ingestion ledgers of its own (rejected lines, no entries): refused before a write', async () => {
    const dir = scratch.dir();
    writeFileSync(join(dir, 'bad.ndjson'), 'not json\n');
    await cli(['ingest', join(dir, 'bad.ndjson'), '--db', join(dir, 'target.db'), '--quiet']);
    const message = await refused(['import', basic, '--db', join(dir, 'target.db')]);
    expect(message).toContain(
      'has ingestion ledgers of its own (1 lines counted, 1 source checkpoints, rejected inputs)',
    );
    expect(JSON.parse(await cli(['report', '--db', join(dir, 'target.db')]))).toMatchObject({
      counts: { lines: 1, accepted: 0 },
    });
  });

  it('other settings than the file was exported with: refused, saying which', async () => {
    const dir = scratch.dir();
    const message = await refused([
      'import',
      basic,
      '--db',
      join(dir, 't.db'),
      '--timezone',
      'Europe/Berlin',
    ]);
    expect(message).toContain('was exported with time zone Asia/Shanghai and currency CNY');
    expect(message).toContain('this command runs with Europe/Berlin and CNY');
    expect(existsSync(join(dir, 't.db'))).toBe(false);
  });

  const lines = () => readFileSync(basic, 'utf8').split('\n');
  it.each([
    [
      'a changed digit in a payload (valid JSON)',
      () => readFileSync(basic, 'utf8').replace('"minTrailingNet":"300000"', '"minTrailingNet":"30000"'),
      /line 41: SHA-256 mismatch: the lines before the trailer hash to [0-9a-f]{64}, the trailer says [0-9a-f]{64} \(the file is corrupt\)/,
    ],
    [
      'a line that is not JSON',
      () =>
        lines()
          .map((l, i) => (i === 4 ? l.slice(0, 40) : l))
          .join('\n'),
      /line 5: not JSON/,
    ],
    [
      'an entry out of place',
      () =>
        lines()
          .map((l, i) => (i === 3 ? (lines()[4] as string) : l))
          .join('\n'),
      /line 4: position 4 where 3 was expected/,
    ],
    [
      'a file cut inside a line',
      () => readFileSync(basic, 'utf8').slice(0, 5000),
      /line \d+: the file ends inside this line \(truncated\)/,
    ],
    [
      'a file cut after a line',
      () => `${lines().slice(0, 20).join('\n')}\n`,
      /line 21: the file ends without its trailer \(truncated after line 20\)/,
    ],
  ])('%s: refused naming the line, nothing written', async (_what, corrupt, expected) => {
    const dir = scratch.dir();
    writeFileSync(join(dir, 'corrupt.ndjson'), corrupt());
    const message = await refused(['import', join(dir, 'corrupt.ndjson'), '--db', join(dir, 't.db')]);
    expect(message).toMatch(expected);
    expect(message).toContain('corrupt.ndjson line');
    expect(existsSync(join(dir, 't.db'))).toBe(false);
  });
});

describe('chanperf export / import: progress, help and README', () => {
  it('progress: one summary log line on stderr when it is not a terminal, none with --quiet', async () => {
    const dir = scratch.dir();
    const imported = await run(['import', basic, '--db', join(dir, 't.db')], { CHANPERF_LOG_LEVEL: 'info' });
    expect(imported.status, imported.stderr).toBe(0);
    const messages = imported.stderr
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toContainEqual(
      expect.stringMatching(/^import basic\.ndjson: 32 events in [\d.]+ s, position 32 of 32$/),
    );
    const exported = await run(['export', '--db', join(dir, 't.db')], { CHANPERF_LOG_LEVEL: 'info' });
    expect(exported.stderr).toMatch(/"msg":"export: 32 events in [\d.]+ s, position 32"/);
    const quiet = await run(['export', '--db', join(dir, 't.db'), '--quiet'], { CHANPERF_LOG_LEVEL: 'info' });
    expect(quiet.stderr).not.toContain('events in');
  });

  it.each(['export', 'import'])(
    'chanperf %s --help prints its usage, and the README lists it',
    async (command) => {
      const help = await cli([command, '--help']);
      const synopsis = /^usage: chanperf (.*)$/m.exec(help)?.[1];
      expect(synopsis).toMatch(new RegExp(`^${command} `));
      expect(help).toContain('--eventstore URL');
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const row = readme.split('\n').find((l) => l.startsWith(`| \`chanperf ${synopsis}\``));
      expect(row, `README.md has a row for chanperf ${synopsis}`).toBeDefined();
      expect(row).toContain('docs/eventstoredb.md#moving-an-embedded-deployment-to-eventstoredb');
    },
  );
});
