/**
 * What the as-of history specs share: a database file with a generated feed ingested in several
 * commits, the as-of reads over a store, and a report's figures (no counts or rejections).
 */
import { join } from 'node:path';
import { defaultSettings, type Report } from '@chanperf/domain';
import { asOfHistory, Ingestor, type AsOfHistory, type AsOfHistoryConfig } from '@chanperf/engine';
import { sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';

/** The figures of a report: everything but the ingestion counts and rejections. */
export function figures(r: Report): unknown {
  const copy = JSON.parse(JSON.stringify(r)) as Partial<Report>;
  delete copy.counts;
  delete copy.rejected;
  return copy;
}

/** A store at `dir/name` and a way to append feed lines to it (400 a commit, as an ERP sends them). */
export async function ingestedStore(
  dir: string,
  name: string,
): Promise<{ store: SqliteStore; ingest: (lines: readonly string[], firstLine?: number) => Promise<void> }> {
  const store = sqliteStore({ path: join(dir, name), settings: defaultSettings });
  const ingestor = new Ingestor(store.log, defaultSettings);
  await ingestor.init();
  const ingest = async (lines: readonly string[], firstLine = 1) => {
    for (let i = 0; i < lines.length; i += 400) {
      await ingestor.ingest(
        lines.slice(i, i + 400).map((text, j) => ({ text, source: 'file:feed', line: firstLine + i + j })),
      );
    }
  };
  return { store, ingest };
}

/** A store at `dir/name` holding `lines`. */
export async function appended(dir: string, name: string, lines: readonly string[]): Promise<SqliteStore> {
  const { store, ingest } = await ingestedStore(dir, name);
  await ingest(lines);
  return store;
}

/** The as-of reads over `store`'s log and history, built in this thread unless `more` says otherwise. */
export function historyOf(store: SqliteStore, more: Partial<AsOfHistoryConfig> = {}): AsOfHistory {
  const { history, commits } = store.asOf();
  return asOfHistory({
    feed: store.log,
    head: () => store.log.head(),
    store: history,
    commits,
    settings: defaultSettings,
    ...more,
  });
}
