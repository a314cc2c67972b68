/**
 * Stage 1, the floor: read the file, JSON.parse and zod-validate each line — nothing else (no
 * acceptance rules, no log, no projection). Run as its own process by the benchmark, like the
 * CLI, so its peak RSS and JIT warm-up compare fairly. Prints one JSON line on stdout.
 *
 * Usage: node test/bench/dist/floor.js FILE
 */
import { EventValidator, defaultSettings, isBlankLine, normalizeLine } from '@chanperf/domain';
import { fileLines } from './feed.js';

/** What the floor process prints. */
export interface FloorOutput {
  readonly lines: number;
  readonly valid: number;
  readonly invalid: number;
  /** Read + parse + validate, without the process's start-up. */
  readonly seconds: number;
}

async function main(path: string): Promise<FloorOutput> {
  const validator = new EventValidator(defaultSettings.minorDigits);
  let lines = 0;
  let valid = 0;
  let invalid = 0;
  const started = process.hrtime.bigint();
  for await (const chunk of fileLines(path)) {
    for (const raw of chunk) {
      const text = normalizeLine(raw, lines === 0);
      if (isBlankLine(text)) continue;
      lines++;
      if (validator.validateText(text)._tag === 'Right') valid++;
      else invalid++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { lines, valid, invalid, seconds };
}

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node test/bench/dist/floor.js FILE\n');
  process.exitCode = 2;
} else {
  main(path).then(
    (out) => process.stdout.write(`${JSON.stringify(out)}\n`),
    (err: unknown) => {
      process.stderr.write(`floor: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
