/**
 * `chanperf verify-statement FILE --db PATH`: checks a statement `chanperf statement` wrote.
 *
 * 1. Its seal: the SHA-256 of the canonical JSON of its figures must be the one printed on it;
 *    otherwise the file was edited after it was issued ("tampered").
 * 2. Its figures: recomputed from the database at the statement's pinned position, they must be
 *    the file's, figure by figure ("identical"); each difference is listed as `path: old → new`.
 * 3. What has been restated since: the statement recomputed at the log's head, compared with the
 *    one at the pinned position, figure by figure (information: a late event restates a closed
 *    month; the statement still matches its position).
 *
 * Exit code: 0 identical (whatever was restated since), 3 the figures differ at the pinned
 * position, 4 tampered (the seal does not match the figures), 2 not a statement or no database.
 */
import { readFileSync } from 'node:fs';
import { formatChange, type FigureChange } from '@chanperf/domain';
import { isStatement, sealHolds, statementAt, statementChanges, type SealedStatement } from '@chanperf/query';
import { withEngine, type CommandEngine } from '../commandEngine.js';
import { needDb, needFile, type CommandLine } from '../commandLine.js';
import { print } from '../stdout.js';
import { fail } from '../usageError.js';
import { statementSource } from './statement.js';

const DIFFERS = 3;
const TAMPERED = 4;

/** The file's statement: a JSON object naming its channel, quarter and position; else a usage error. */
function readStatement(
  command: string,
  file: string,
): Record<string, unknown> & Pick<SealedStatement, 'quarter' | 'position' | 'channel'> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`${command}: ${file} is not JSON (${(err as Error).message})`);
  }
  const d = doc as Partial<SealedStatement> | null;
  if (
    d?.kind !== 'chanperf.partner-statement' ||
    typeof d.channel?.channelId !== 'string' ||
    typeof d.quarter !== 'string' ||
    !Number.isSafeInteger(d.position)
  ) {
    fail(`${command}: ${file} is not a chanperf statement`);
  }
  return d as Record<string, unknown> & SealedStatement;
}

const lines = (changes: readonly FigureChange[]) => changes.map((c) => `  ${formatChange(c)}\n`).join('');

async function restatedSince(engine: CommandEngine, pinned: SealedStatement): Promise<string> {
  const head = await engine.store.log.head();
  const range = `position ${pinned.position} → head ${head}`;
  if (head === pinned.position) return `restated since: nothing (${range})\n`;
  const saved = await engine.store.readStore.load();
  const now = await statementAt(
    statementSource(engine),
    pinned.channel.channelId,
    pinned.quarter,
    head,
    saved,
  );
  if (!isStatement(now)) return `restated since (${range}): ${now.message}\n`;
  const changes = statementChanges(pinned, now);
  if (changes.length === 0) return `restated since: nothing (${range})\n`;
  return `restated since (${range}): ${changes.length} figure(s)\n${lines(changes)}`;
}

export async function verifyStatementCommand(commandLine: CommandLine): Promise<number> {
  const file = needFile(commandLine);
  const db = needDb(commandLine, true);
  const doc = readStatement(commandLine.command, file);
  const { channelId } = doc.channel;
  const what = `statement ${channelId} ${doc.quarter} at position ${doc.position}`;
  const seal = sealHolds(doc);
  const tampered = seal === undefined || seal.stated !== seal.actual;
  let out = tampered
    ? `tampered: ${what}: its figures hash to ${seal?.actual ?? '?'}, not to the SHA-256 printed on it (${seal?.stated ?? 'none'})\n`
    : `seal: ${what}: SHA-256 ${seal.actual} matches its figures\n`;
  const code = await withEngine(db, commandLine.config, commandLine.logger, async (engine) => {
    const again = await statementAt(statementSource(engine), channelId, doc.quarter, doc.position);
    if (!isStatement(again)) {
      out += `differs: ${again.message}\n`;
      return tampered ? TAMPERED : DIFFERS;
    }
    const changes = statementChanges(doc, again);
    out +=
      changes.length === 0
        ? `identical: recomputed at position ${doc.position}, every figure is the file's\n`
        : `differs: recomputed at position ${doc.position}, ${changes.length} figure(s) (file → recomputed)\n${lines(changes)}`;
    out += await restatedSince(engine, again);
    return tampered ? TAMPERED : changes.length === 0 ? 0 : DIFFERS;
  });
  await print(out);
  return code;
}
