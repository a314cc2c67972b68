/**
 * `chanperf statement --db PATH --channel ID --quarter YYYY-Qn [--out DIR] [--format json|html|pdf]
 * [--position N]`: writes a partner's quarterly statement, pinned to the log's head (or to
 * position N), as `statement-<channel>-<quarter>-p<position>.json` (sealed with the SHA-256 of
 * its canonical JSON), its printable HTML page beside it (unless `--format json`), and a PDF
 * printed by headless Chromium (`--format pdf`); prints what it wrote (JSON) on stdout. The
 * figures are the read model's as saved when it is at that position, else a replay of the log
 * up to it (statementsDocument.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isStatement, statementAt, statementHtml } from '@chanperf/query';
import { withEngine, type CommandEngine } from '../commandEngine.js';
import { needDb, type CommandLine } from '../commandLine.js';
import { print } from '../stdout.js';
import { fail } from '../usageError.js';

/** The options of `statement` and `verify-statement` (commandTable.ts). */
export type StatementValues = CommandLine['values'] & {
  readonly channel?: string;
  readonly quarter?: string;
  readonly out?: string;
  readonly format?: string;
  readonly position?: string;
};

const FORMATS = ['json', 'html', 'pdf'] as const;

/** The Chromium that prints PDFs: CHANPERF_CHROMIUM, else Debian's. */
export function chromiumPath(env: NodeJS.ProcessEnv): string {
  return env['CHANPERF_CHROMIUM'] ?? '/usr/bin/chromium';
}

/** Where a statement's sources come from in a command's engine. */
export function statementSource(engine: CommandEngine) {
  return { log: engine.store.log, channelLog: engine.store.channelLog(), settings: engine.settings };
}

function positionOption(commandLine: CommandLine): number | undefined {
  const text = (commandLine.values as StatementValues).position;
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    fail(`${commandLine.command}: --position must be a non-negative integer`);
  return n;
}

/** Prints `html` to `pdf` with headless Chromium (its own profile in a temporary folder). */
function printPdf(chromium: string, html: string, pdf: string): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'chanperf-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    `--user-data-dir=${profile}`,
    '--no-pdf-header-footer',
    `--print-to-pdf=${pdf}`,
    pathToFileURL(html).href,
  ];
  return new Promise<void>((done, failed) => {
    execFile(chromium, args, { timeout: 120_000 }, (err) => {
      rmSync(profile, { recursive: true, force: true });
      if (err !== null || !existsSync(pdf))
        failed(
          new Error(`Chromium could not print ${pdf}: ${err === null ? 'no file written' : err.message}`),
        );
      else done();
    });
  });
}

export async function statementCommand(commandLine: CommandLine): Promise<void> {
  const { command } = commandLine;
  const db = needDb(commandLine, true);
  const v = commandLine.values as StatementValues;
  if (v.channel === undefined) fail(`${command}: --channel ID is required`);
  if (v.quarter === undefined) fail(`${command}: --quarter YYYY-Qn is required`);
  const format = v.format ?? 'html';
  if (!(FORMATS as readonly string[]).includes(format))
    fail(`${command}: --format must be json, html or pdf`);
  const chromium = chromiumPath(commandLine.env);
  if (format === 'pdf' && !existsSync(chromium)) {
    fail(
      `${command}: --format pdf needs headless Chromium, and there is none at ${chromium} (set CHANPERF_CHROMIUM)`,
    );
  }
  const position = positionOption(commandLine);
  const { channel, quarter } = v;
  const statement = await withEngine(db, commandLine.config, commandLine.logger, async (engine) =>
    statementAt(statementSource(engine), channel, quarter, position, await engine.store.readStore.load()),
  );
  if (!isStatement(statement)) fail(`${command}: ${statement.message}`);
  // The files as named from the working directory (`--out` as given).
  const dir = v.out ?? '.';
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `statement-${channel.replace(/[^\w.-]/g, '_')}-${quarter}-p${statement.position}`);
  const files = [`${base}.json`];
  writeFileSync(`${base}.json`, `${JSON.stringify(statement, null, 2)}\n`);
  if (format !== 'json') {
    writeFileSync(`${base}.html`, statementHtml(statement));
    files.push(`${base}.html`);
  }
  if (format === 'pdf') {
    await printPdf(chromium, resolve(`${base}.html`), resolve(`${base}.pdf`));
    files.push(`${base}.pdf`);
  }
  const { channelId } = statement.channel;
  const summary = { channelId, quarter, position: statement.position, sha256: statement.seal.sha256, files };
  await print(`${JSON.stringify(summary)}\n`);
}
