/**
 * Processes that open one new database at the same moment (two `chanperf ingest` of one file
 * started together, a `serve` and a CLI command): each must open it, and the deployment
 * settings stored once — the first to write them decides, the others compare. CI saw the
 * second of two processes fail with "UNIQUE constraint failed: settings.key".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const dist = (pkg: string) =>
  pathToFileURL(fileURLToPath(new URL(`../../${pkg}/dist/index.js`, import.meta.url))).href;

/** Waits for `startAt` (a shared instant, so the opens meet), opens the store, closes it. */
const OPENER = `
const [path, startAt, currency] = process.argv.slice(1);
const { sqliteStore } = await import(${JSON.stringify(dist('store-sqlite'))});
const { defaultSettings } = await import(${JSON.stringify(dist('domain'))});
while (Date.now() < Number(startAt));
try {
  sqliteStore({ path, settings: { ...defaultSettings, currency } }).close();
} catch (err) {
  process.stderr.write(String(err.code ?? '') + ' ' + err.message);
  process.exit(1);
}
`;

/** Runs `n` openers of `path` together; their exit codes and stderr. */
function openTogether(path: string, currencies: readonly string[]) {
  const startAt = Date.now() + 1500;
  return Promise.all(
    currencies.map(
      (currency) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--input-type=module', '-e', OPENER, path, String(startAt), currency],
            { stdio: ['ignore', 'ignore', 'pipe'] },
          );
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
          child.once('close', (code) => resolve({ code, stderr }));
        }),
    ),
  );
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-open-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('opening a new database from several processes at once', () => {
  it('given six processes with the same settings, then every one opens it, five rounds running', async () => {
    for (let round = 0; round < 5; round++) {
      const results = await openTogether(join(dir, `round${round}.db`), Array(6).fill('CNY'));
      expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    }
  }, 60_000);

  it('given processes with other currencies, then one set of settings wins and every other one is refused by name', async () => {
    const results = await openTogether(join(dir, 'mixed.db'), ['CNY', 'JPY', 'CNY', 'JPY']);
    const refused = results.filter((r) => r.code !== 0);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused)
      expect(r.stderr).toMatch(
        /^SETTINGS_MISMATCH the database was created with currency (CNY|JPY), not (CNY|JPY)$/,
      );
    expect(results.length - refused.length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
