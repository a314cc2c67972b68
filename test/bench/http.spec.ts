/**
 * The HTTP ingest's load generator cuts the feed into NDJSON bodies at the byte level: every
 * byte of the file is sent once, in order, in bodies of exactly `batchSize` lines (the last may
 * be shorter), whatever the read chunks' boundaries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ndjsonBodies } from './http.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-bodies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bodiesOf(text: string, batchSize: number, chunkBytes: number) {
  const path = join(dir, 'feed.ndjson');
  writeFileSync(path, text);
  const out: { text: string; lines: number }[] = [];
  for await (const b of ndjsonBodies(path, batchSize, chunkBytes)) {
    out.push({ text: Buffer.from(b.body).toString('utf8'), lines: b.lines });
  }
  return out;
}

/** Lines as a server counts them: each newline ends one, and a last line may lack its newline. */
function linesIn(text: string): number {
  const newlines = text.split('\n').length - 1;
  return newlines + (text.length > 0 && !text.endsWith('\n') ? 1 : 0);
}

describe('ndjsonBodies', () => {
  it('sends every line once, in order, batchSize lines a body, across read chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replaceAll('\n', ' ')),
          {
            maxLength: 40,
          },
        ),
        fc.boolean(),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        async (lines, trailingNewline, batchSize, chunkBytes) => {
          const text = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
          const bodies = await bodiesOf(text, batchSize, chunkBytes);
          expect(bodies.map((b) => b.text).join('')).toBe(text);
          expect(bodies.reduce((n, b) => n + b.lines, 0)).toBe(linesIn(text));
          bodies.slice(0, -1).forEach((b) => {
            expect(b.lines).toBe(batchSize);
            expect(b.text.endsWith('\n')).toBe(true);
          });
          for (const b of bodies) expect(linesIn(b.text)).toBe(b.lines);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives nothing for an empty file', async () => {
    expect(await bodiesOf('', 3, 4)).toEqual([]);
  });
});
