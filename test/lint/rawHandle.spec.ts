/**
 * The lint rule of DESIGN.md "Ports": product code outside packages/store-sqlite neither
 * imports better-sqlite3 nor reaches a store's raw database handle. Snippets are linted with
 * the repository's own eslint.config.js as if they were files at the given paths (only the two
 * rules under test run: the snippets are not part of the type-checked program).
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

const eslint = new ESLint({
  cwd: ROOT,
  ruleFilter: ({ ruleId }) => RULES.has(ruleId),
  overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
});

/** The messages of the two rules for `code` linted as `filePath`. */
async function lint(code: string, filePath: string) {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result?.messages.filter((m) => m.fatal === true)).toEqual([]);
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }));
}

const IMPORTS_SQLITE = `import Database from 'better-sqlite3';
export const open = (path: string) => new Database(path);
`;

const REACHES_HANDLES = `declare const runtime: { store: { db: unknown; readDb: unknown } };
declare const store: { db: unknown; readDb: unknown };
declare const local: { db: unknown };
export const a = runtime.store.db;
export const b = store.db;
export const c = local.db;
export const d = store.readDb;
export const e = runtime.store['db'];
const { db } = runtime.store;
export { db };
`;

/** Code that is not about stores, with the same property names. */
const INNOCENT = `declare const values: { db?: string };
declare const config: { db: string };
export const path = values.db ?? config.db;
`;

describe('the raw-handle lint rule', () => {
  it('rejects importing better-sqlite3 in product code', async () => {
    for (const filePath of ['services/query/src/probe.ts', 'packages/kafka/src/probe.ts']) {
      const messages = await lint(IMPORTS_SQLITE, filePath);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ rule: 'no-restricted-imports', line: 1 });
      expect(messages[0]?.message).toMatch(/better-sqlite3.*only packages\/store-sqlite/);
    }
    const dynamic = await lint(
      `export const m = await import('better-sqlite3');\n`,
      'services/cli/src/probe.ts',
    );
    expect(dynamic.map((m) => m.rule)).toEqual(['no-restricted-syntax']);
  });

  it("rejects the store's connections escape hatch in product code", async () => {
    const messages = await lint(
      `import { sqliteConnections } from '@chanperf/store-sqlite';\nexport const f = sqliteConnections;\n`,
      'services/alerting/src/probe.ts',
    );
    expect(messages.map((m) => m.rule)).toEqual(['no-restricted-imports']);
  });

  it('rejects reaching a raw handle: x.store.db, store.db, local.db, store.readDb, destructuring', async () => {
    const messages = await lint(REACHES_HANDLES, 'services/query/src/probe.ts');
    expect(messages.map((m) => [m.rule, m.line])).toEqual([
      ['no-restricted-syntax', 4],
      ['no-restricted-syntax', 5],
      ['no-restricted-syntax', 6],
      ['no-restricted-syntax', 7],
      ['no-restricted-syntax', 8],
      ['no-restricted-syntax', 9],
    ]);
    for (const m of messages)
      expect(m.message).toMatch(/no raw database handle outside packages\/store-sqlite/);
  });

  it('leaves other `.db` properties alone', async () => {
    expect(await lint(INNOCENT, 'services/cli/src/probe.ts')).toEqual([]);
  });

  it('allows SQLite inside packages/store-sqlite, and in tests', async () => {
    for (const filePath of [
      'packages/store-sqlite/src/probe.ts',
      'services/query/src/probe.int.spec.ts',
      'test/e2e/probe.spec.ts',
    ]) {
      expect(await lint(IMPORTS_SQLITE + REACHES_HANDLES, filePath), filePath).toEqual([]);
    }
  });

  it('keeps the domain under its own, stricter rules', async () => {
    const messages = await lint(IMPORTS_SQLITE, 'packages/domain/src/probe.ts');
    expect(messages.map((m) => m.rule)).toEqual(['no-restricted-imports']);
    expect(messages[0]?.message).toMatch(/packages\/domain is pure/);
    const clock = await lint(`export const now = Date.now();\n`, 'packages/domain/src/probe.ts');
    expect(clock.map((m) => m.message)).toEqual(['time comes from events, never from the clock']);
  });
});
