/**
 * The machine floor: read the file, split it into lines at the byte level (`indexOf(0x0a)` on
 * each Buffer read), decode each line on its own and `JSON.parse` it — nothing else (no
 * validation, no rules, no log, no projection). What any pipeline that reads JSON lines must pay
 * on this machine; every other stage of the benchmark is reported as a ratio to it. Run as its
 * own process, like the CLI, so its JIT warm-up compares fairly. Prints one JSON line on stdout
 * (the validator floor's shape: `valid` counts the lines `JSON.parse` took).
 *
 * Each line is decoded by itself, so one non-ASCII line does not turn a whole chunk into a
 * two-byte string (which makes every parse of it slower). A BOM at the start of the file and a
 * CR before a newline are left out of the line, as the CLI does; empty lines are not counted.
 *
 * Usage: node test/bench/dist/machineFloor.js FILE
 */
import { createReadStream } from 'node:fs';
import type { FloorOutput } from './floor.js';

const NEWLINE = 0x0a;
const CR = 0x0d;
const CHUNK = 1 << 20;

interface Counts {
  lines: number;
  valid: number;
  invalid: number;
}

/** Parses bytes [start, end) of `buf` as one line, without its CR. */
function parseLine(buf: Buffer, start: number, end: number, counts: Counts): void {
  const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
  if (stop === start) return;
  counts.lines++;
  try {
    // The value is used (typeof), so no engine could drop the parse.
    if (typeof JSON.parse(buf.toString('utf8', start, stop)) === 'object') counts.valid++;
    else counts.invalid++;
  } catch {
    counts.invalid++;
  }
}

async function main(path: string): Promise<FloorOutput> {
  const counts: Counts = { lines: 0, valid: 0, invalid: 0 };
  // The end of the previous chunk when a line runs over into the next one.
  let carry: Buffer | null = null;
  let first = true;
  const started = process.hrtime.bigint();
  for await (const data of createReadStream(path, { highWaterMark: CHUNK })) {
    const buf = data as Buffer;
    let start = 0;
    if (first) {
      first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
    }
    let nl = buf.indexOf(NEWLINE, start);
    if (carry !== null) {
      if (nl < 0) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      const line = Buffer.concat([carry, buf.subarray(0, nl)]);
      parseLine(line, 0, line.length, counts);
      carry = null;
      start = nl + 1;
      nl = buf.indexOf(NEWLINE, start);
    }
    while (nl >= 0) {
      parseLine(buf, start, nl, counts);
      start = nl + 1;
      nl = buf.indexOf(NEWLINE, start);
    }
    // A copy: the stream owns its buffers.
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  }
  if (carry !== null) parseLine(carry, 0, carry.length, counts);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...counts, seconds };
}

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node test/bench/dist/machineFloor.js FILE\n');
  process.exitCode = 2;
} else {
  main(path).then(
    (out) => process.stdout.write(`${JSON.stringify(out)}\n`),
    (err: unknown) => {
      process.stderr.write(`machine floor: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
