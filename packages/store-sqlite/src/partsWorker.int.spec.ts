/**
 * What a rebuild part's thread loads before it can start (`partsWorker.ts`): the compiled
 * module's static imports, followed through this workspace's packages. The domain's index
 * brings the validation's schema library with it (zod, fp-ts: ~80 ms of a thread's start, on
 * the rebuild's critical path), so the thread's modules import the narrow entries
 * (`@chanperf/domain/rules`, `@chanperf/engine/runner`) at run time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** A static import's file: relative, or a workspace package's export; undefined for the rest. */
function fileOf(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  const m = /^@chanperf\/([^/]+)(\/.+)?$/.exec(specifier);
  if (m === null) return undefined;
  const pkg = join(PACKAGES, m[1] ?? '');
  const exports = (
    JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      exports: Record<string, { default: string }>;
    }
  ).exports;
  const entry = exports[`.${m[2] ?? ''}`];
  if (entry === undefined) throw new Error(`${specifier} is not an export of its package`);
  return join(pkg, entry.default);
}

/** Every module `entry` loads, and the specifiers outside the workspace they import. */
function graphOf(entry: string): { modules: Set<string>; outside: Set<string> } {
  const modules = new Set<string>();
  const outside = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?'([^']+)'/gm)) {
      const specifier = m[1] ?? '';
      const next = fileOf(file, specifier);
      if (next === undefined) outside.add(specifier);
      else visit(next);
    }
  };
  visit(entry);
  return { modules, outside };
}

describe("a rebuild part's thread", () => {
  const entry = fileURLToPath(new URL('../dist/partsWorker.js', import.meta.url));

  it('loads no schema library: its modules import neither zod nor fp-ts', () => {
    expect(existsSync(entry)).toBe(true);
    const { modules, outside } = graphOf(entry);
    // The walk follows the workspace: the projection's rules and the runner are in it.
    expect([...modules].some((f) => f.endsWith('domain/dist/projection/evolve.js'))).toBe(true);
    expect([...modules].some((f) => f.endsWith('engine/dist/projectionRunner.js'))).toBe(true);
    expect([...outside].filter((s) => s === 'zod' || s.startsWith('fp-ts'))).toStrictEqual([]);
    expect([...outside]).toContain('better-sqlite3');
  });
});
