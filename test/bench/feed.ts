/**
 * The benchmark's input: a seeded feed of about N events from the demo's generator, written
 * once per set of parameters and cached (a 1M-event feed takes ~30 s to generate; 10M ~5 min).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFeed, type FeedOptions } from '@chanperf/testing';

/** The generator's parameters; with these fixed, the feed is byte-for-byte reproducible. */
export interface FeedSpec {
  readonly seed: number;
  readonly partners: number;
  readonly months: number;
  readonly salesPerPartnerMonth: number;
}

export interface Feed {
  readonly spec: FeedSpec;
  readonly path: string;
  /** Lines in the file (bad lines and resends included): the "events" of every rate. */
  readonly lines: number;
  readonly badLines: number;
  readonly bytes: number;
  /** Seconds spent generating it in this run; null when it came from the cache. */
  readonly generatedSeconds: number | null;
}

const MONTHS = 12;
/** The demo's density (it uses 6); the generator's own 1M example uses 8. */
const SALES_PER_PARTNER_MONTH = 8;
/**
 * Measured lines per partner-month at that density (97 142 lines for 952 partners × 12 months,
 * seed 42): sales plus returns, trainings, surveys, late sales, resends and bad lines.
 */
const LINES_PER_PARTNER_MONTH = 8.5;

/**
 * The feed of about `events` lines: a year of the demo's mix, scaled by the number of partners
 * (so a bigger feed means more channels, as a bigger vendor's would, not denser months).
 */
export function feedSpecFor(events: number, seed: number): FeedSpec {
  const partners = Math.max(1, Math.round(events / (MONTHS * LINES_PER_PARTNER_MONTH)));
  return { seed, partners, months: MONTHS, salesPerPartnerMonth: SALES_PER_PARTNER_MONTH };
}

interface CacheEntry {
  readonly spec: FeedSpec;
  readonly lines: number;
  readonly badLines: number;
  readonly bytes: number;
}

/** The cached feed for `spec` under `dir`, generated (atomically: temp file, then rename) if missing. */
export async function cachedFeed(spec: FeedSpec, dir: string): Promise<Feed> {
  mkdirSync(dir, { recursive: true });
  const name = `feed-seed${spec.seed}-p${spec.partners}-m${spec.months}-s${spec.salesPerPartnerMonth}`;
  const path = join(dir, `${name}.ndjson`);
  const metaPath = join(dir, `${name}.json`);
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CacheEntry;
    if (statSync(path).size === meta.bytes) {
      return {
        spec,
        path,
        lines: meta.lines,
        badLines: meta.badLines,
        bytes: meta.bytes,
        generatedSeconds: null,
      };
    }
  }
  const partial = `${path}.${process.pid}.partial`;
  const started = process.hrtime.bigint();
  try {
    const options: FeedOptions = {
      seed: spec.seed,
      partners: spec.partners,
      months: spec.months,
      salesPerPartnerMonth: spec.salesPerPartnerMonth,
    };
    const stats = await writeFeed(partial, options);
    const bytes = statSync(partial).size;
    renameSync(partial, path);
    const entry: CacheEntry = { spec, lines: stats.lines, badLines: stats.badLines, bytes };
    writeFileSync(metaPath, `${JSON.stringify(entry)}\n`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { spec, path, lines: stats.lines, badLines: stats.badLines, bytes, generatedSeconds: seconds };
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * The file's lines, a chunk at a time (one array per ~1 MiB read), without the newlines. A
 * plain split of decoded text: as cheap as reading lines gets in Node, so the floor is a floor.
 */
export async function* fileLines(path: string): AsyncGenerator<string[]> {
  const { createReadStream } = await import('node:fs');
  const { StringDecoder } = await import('node:string_decoder');
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = carry + decoder.write(chunk as Buffer);
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    yield lines;
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield [rest];
}
