/**
 * docs/rules.md's worked examples are the engine's figures: the page's own commands
 * (`pnpm --silent chanperf replay examples/NAME.ndjson > NAME.report.json`, its sh block) are run,
 * and every line `path = value` of its ```figures NAME blocks is looked up in that report.
 *
 * A path is dot-separated fields; `[key]` picks, in a list, the one entry whose identifying field
 * (`id`, `channelId`, `month`, `quarter`, `changeId`, `eventId`) is `key`. A value is compared as
 * written: a string as is, a number, `true`/`false`, `null`, or a list as JSON.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DOC = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
const KEYS = ['id', 'channelId', 'month', 'quarter', 'changeId', 'eventId'] as const;

interface Figure {
  readonly feed: string;
  readonly path: string;
  readonly value: string;
}

/** The fenced blocks of `lang` (with what follows it on the fence line). */
function blocks(lang: string): { info: string; body: string[] }[] {
  const found = [...DOC.matchAll(new RegExp('^```' + lang + '(.*)\\n([\\s\\S]*?)^```$', 'gm'))];
  return found.map((m) => ({
    info: (m[1] ?? '').trim(),
    body: (m[2] ?? '').split('\n').filter((l) => l !== ''),
  }));
}

const figures: Figure[] = blocks('figures').flatMap(({ info, body }) =>
  body.map((line) => {
    const m = /^(\S+) = (.+)$/.exec(line);
    if (m === null) throw new Error(`docs/rules.md: not "path = value": ${line}`);
    return { feed: info, path: m[1] ?? '', value: m[2] ?? '' };
  }),
);

/** The page's replay commands: the report of each feed, as the page tells to make it. */
const reports = new Map<string, unknown>();
const replays = blocks('sh').flatMap(({ body }) => body);

function select(list: unknown[], key: string, path: string): unknown {
  const hits = list.filter((e) => {
    const o = e as Record<string, unknown>;
    return KEYS.some((k) => o[k] === key);
  });
  if (hits.length !== 1) throw new Error(`${path}: [${key}] matches ${hits.length} entries`);
  return hits[0];
}

function lookup(report: unknown, path: string): unknown {
  let at: unknown = report;
  for (const segment of path.split(/\.(?![^[]*\])/)) {
    const m = /^(\w+)(?:\[([^\]]+)\])?$/.exec(segment);
    if (m === null) throw new Error(`${path}: bad segment ${segment}`);
    at = (at as Record<string, unknown>)[m[1] ?? ''];
    if (m[2] !== undefined) at = select(at as unknown[], m[2], path);
  }
  return at;
}

const written = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

describe('docs/rules.md', () => {
  it.each(replays)('its command works: %s', (line) => {
    const m = /^pnpm --silent chanperf replay (examples\/([\w-]+)\.ndjson) > \2\.report\.json$/.exec(line);
    expect(m, line).not.toBeNull();
    const run = chanperf(['replay', `${REPO}${m?.[1] ?? ''}`, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    reports.set(m?.[2] ?? '', JSON.parse(run.stdout));
  });

  it('has worked examples on both feeds', () => {
    expect(new Set(figures.map((f) => f.feed))).toEqual(new Set(['basic', 'v2-basic']));
    expect(figures.length).toBeGreaterThan(60);
  });

  it.each(figures)('$feed: $path = $value', ({ feed, path, value }) => {
    const report = reports.get(feed);
    expect(report, `no command in the page replays examples/${feed}.ndjson`).toBeDefined();
    expect(written(lookup(report, path))).toBe(value);
  });
});
