/**
 * The log stream (README, "Logs"): stderr carries pino JSON lines only, each with `service`
 * once (a child logger's service is not added to its process's) and an ISO 8601 `time`;
 * CHANPERF_LOG_FORMAT=pretty gives pino-pretty's lines for a person instead.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chanperf, serveAsync } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const basicPath = join(EXAMPLES, 'basic.ndjson');
const dir = mkdtempSync(join(tmpdir(), 'chanperf-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Asserts every line of `stderr` is one JSON object with one `service` and an ISO time; answers them. */
function expectJsonLines(stderr: string): { service: string; time: string; msg: string }[] {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((raw) => {
    expect(raw.match(/"service":/g), raw).toHaveLength(1);
    const line = JSON.parse(raw) as { service: string; time: string; msg: string };
    expect(line.time, raw).toMatch(ISO);
    expect(new Date(line.time).toISOString()).toBe(line.time);
    return line;
  });
}

describe('the log stream', () => {
  it('serve: JSON lines only, one service each, from the process and from its parts', async () => {
    const { child, url } = serveAsync([], {
      CHANPERF_DATA_DIR: dir,
      CHANPERF_HTTP_PORT: '0',
      CHANPERF_LOG_LEVEL: 'debug',
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const base = await url;
    const posted = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: readFileSync(basicPath, 'utf8'),
    });
    expect(posted.status).toBe(200);
    child.kill('SIGTERM');
    await exited;

    const lines = expectJsonLines(stderr);
    const services = new Set(lines.map((l) => l.service));
    // The process's own lines, and its parts' (child loggers that name their service).
    expect(services).toContain('serve');
    expect(services).toContain('http');
    expect(services).toContain('projection');
    expect(lines.some((l) => l.msg.startsWith(`chanperf: serving on ${base} `))).toBe(true);
  });

  it('serve: an unexpected failure is a JSON line too (level fatal), exit code 1', () => {
    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, '');
    const run = chanperf(['serve'], { CHANPERF_DATA_DIR: notADirectory, CHANPERF_HTTP_PORT: '0' });
    expect(run.status).toBe(1);
    const [line, ...more] = expectJsonLines(run.stderr);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 60, msg: 'chanperf: unexpected failure' });
  });

  it('replay: JSON lines only, one service each', () => {
    const run = chanperf(['replay', basicPath], { CHANPERF_LOG_LEVEL: 'debug' });
    expect(run.status, run.stderr).toBe(0);
    expect(expectJsonLines(run.stderr).map((l) => l.service)).toContain('cli');
  });

  it('CHANPERF_LOG_FORMAT=pretty: human lines, none of them JSON', () => {
    const run = chanperf(['replay', basicPath], {
      CHANPERF_LOG_LEVEL: 'info',
      CHANPERF_LOG_FORMAT: 'pretty',
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    expect(run.stderr).toMatch(/INFO.*: replay basic\.ndjson: \d+ events in/);
  });

  it('CHANPERF_LOG_FORMAT=xml: a usage error naming the variable', () => {
    const run = chanperf(['replay', basicPath], { CHANPERF_LOG_FORMAT: 'xml' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('chanperf: CHANPERF_LOG_FORMAT: must be json or pretty\n');
  });
});
