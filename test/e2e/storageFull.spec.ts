/**
 * The CLI on a full disk: a real 512 KiB tmpfs (needs root to mount; skipped, saying so,
 * where it cannot be mounted). Ingesting a feed larger than the disk ends with one line,
 * `chanperf: storage full: …`, exit code 1, and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'chanperf-full-'));
const disk = join(work, 'disk');

function tryMount(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  mkdirSync(disk, { recursive: true });
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', disk], { encoding: 'utf8' });
  return mount.status === 0 ? undefined : `mount failed: ${mount.stderr.trim()}`;
}

const skipReason = tryMount();
if (skipReason !== undefined) console.warn(`storageFull.spec: skipped (${skipReason})`);

/** A feed of ~3.5 MB: one registration and 20 000 sales. */
function writeFeed(path: string): void {
  const lines = [
    JSON.stringify({
      eventId: 'reg-A',
      type: 'ChannelRegistered',
      occurredAt: '2026-01-02T09:00:00+08:00',
      channelId: 'CH-A',
      data: { name: 'A', kind: 'agent' },
    }),
  ];
  for (let i = 0; i < 20_000; i++) {
    lines.push(
      JSON.stringify({
        eventId: `s-${i}`,
        type: 'SaleRecorded',
        occurredAt: '2026-01-10T10:00:00+08:00',
        channelId: 'CH-A',
        data: { orderId: `O-${i}`, sku: 'P1', quantity: 1, netAmount: '10.00', currency: 'CNY' },
      }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const feed = join(work, 'feed.ndjson');

describe.skipIf(skipReason !== undefined)('chanperf on a full disk', () => {
  beforeAll(() => writeFeed(feed));
  afterEach(() => {
    for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
  });
  afterAll(() => {
    spawnSync('umount', [disk]);
    rmSync(work, { recursive: true, force: true });
  });

  const expectOneLine = (run: ReturnType<typeof chanperf>, pattern: RegExp) => {
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at |unexpected failure/);
  };

  it.each([
    ['ingest (projection on its own thread)', ['ingest', feed, '--db', join(disk, 'a.db')]],
    ['ingest --no-project', ['ingest', feed, '--db', join(disk, 'b.db'), '--no-project']],
  ])('given %s, then one line names the database, exit code 1', (_name, args) => {
    const db = args[args.indexOf('--db') + 1]!;
    const run = chanperf(args, { CHANPERF_LOG_LEVEL: 'silent' });
    expectOneLine(run, new RegExp(`^chanperf: storage full: ${db.replaceAll('.', '\\.')} \\(.*full.*\\)$`));
  });

  it('given replay on a temporary database (TMPDIR on the full disk), then one line with the reason', () => {
    const run = chanperf(['replay', feed], { CHANPERF_LOG_LEVEL: 'silent', TMPDIR: disk });
    expectOneLine(run, /^chanperf: storage full: .*full/);
  });
});
