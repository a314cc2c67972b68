/**
 * `chanperf whatif --db PATH --program proposed.json [--from YYYY-MM] [--format table|json|xlsx]`:
 * what the log's figures would have been with the program replaced from a month on
 * (`runWhatIf`, `compareWhatIf`; the meaning of "replaced": docs/whatif.md). Reads the log only:
 * both scenarios are projected in memory, the database's read model is never written. Progress
 * on stderr as the other long commands show it; the comparison on stdout (xlsx: the workbook's
 * bytes, for a redirect to a file).
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { compareWhatIf, planWhatIf, runWhatIf, type WhatIfPlan } from '@chanperf/engine';
import { whatIfWorkbook } from '@chanperf/query';
import { sqliteStore } from '@chanperf/store-sqlite';
import { needDb, type CommandLine } from '../commandLine.js';
import { progressMode, startProgress } from '../progress.js';
import { print } from '../stdout.js';
import { fail } from '../usageError.js';
import { whatIfTable } from './whatifTable.js';

const FORMATS = ['table', 'json', 'xlsx'] as const;

/** The proposal of `--program FILE` and `--from`, or a usage error saying what is wrong. */
function proposal(commandLine: CommandLine): WhatIfPlan {
  const { command, values, config } = commandLine;
  if (values.program === undefined) fail(`${command}: --program FILE is required`);
  let text: string;
  try {
    text = readFileSync(values.program, 'utf8');
  } catch {
    fail(`${command}: no such file: ${values.program}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    fail(`${command}: ${values.program}: MALFORMED_JSON: not valid JSON: ${(err as Error).message}`);
  }
  const plan = planWhatIf(input, values.from, config.settings);
  if (E.isLeft(plan)) fail(`${command}: ${values.program}: ${plan.left.code}: ${plan.left.message}`);
  return plan.right;
}

export async function whatifCommand(commandLine: CommandLine): Promise<void> {
  const { command, values, config, logger } = commandLine;
  const path = needDb(commandLine, true);
  const format = values.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format))
    fail(`${command}: --format must be one of ${FORMATS.join(', ')}`);
  if (format === 'xlsx' && process.stdout.isTTY)
    fail(`${command}: --format xlsx writes a workbook: redirect stdout to a file (> whatif.xlsx)`);
  const plan = proposal(commandLine);
  const store = sqliteStore({ path, settings: config.settings, logCacheMiB: 16, readModelCacheMiB: 1 });
  let result;
  try {
    const head = await store.log.head();
    const progress = startProgress({ label: 'whatif', mode: progressMode(values.quiet), logger });
    const run = await runWhatIf(store.log, plan, config.settings, {
      onPage: (position) =>
        progress.update({
          events: position,
          position: `position ${position.toLocaleString('en-US')} of ${head.toLocaleString('en-US')}`,
          share: { start: 0, done: position, total: head },
        }),
    });
    progress.finish();
    result = compareWhatIf(run, config.settings.minorDigits);
  } finally {
    store.close();
  }
  if (format === 'json') await print(`${JSON.stringify(result, null, 2)}\n`);
  else if (format === 'table') await print(whatIfTable(result));
  else {
    const bytes = await whatIfWorkbook(result);
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(bytes, (err) => (err ? reject(err) : resolve())),
    );
  }
}
