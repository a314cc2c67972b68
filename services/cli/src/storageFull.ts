/**
 * The CLI's answer to a full disk: one line, `chanperf: storage full: <db> (<reason>)`, exit
 * code 1, no stack trace — the operator has to free space, and a stack would only hide that.
 */
import { storageFullError } from '@chanperf/runtime';

/** SQLite's text for SQLITE_FULL: what is left of it once an error crossed a thread (no code). */
const SQLITE_FULL_TEXT = 'database or disk is full';

function fullByMessage(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e.message.includes(SQLITE_FULL_TEXT)) return SQLITE_FULL_TEXT;
  }
  return undefined;
}

/**
 * The line to print when `err` says the storage is full (SQLITE_FULL or ENOSPC anywhere in its
 * cause chain, or SQLite's message of it from the projection thread), else undefined. `db`:
 * the database the command was writing, when known.
 */
export function storageFullLine(err: unknown, db: string | undefined): string | undefined {
  const full = storageFullError(err);
  const reason =
    full === undefined
      ? fullByMessage(err)
      : typeof full.message === 'string' && full.message !== ''
        ? full.message
        : full.code;
  if (reason === undefined) return undefined;
  return `chanperf: storage full: ${db === undefined ? reason : `${db} (${reason})`}`;
}

/** The `--db PATH` (or `--db=PATH`) of a command line, if any. */
export function dbArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--db') return argv[i + 1];
    if (arg?.startsWith('--db=') === true) return arg.slice('--db='.length);
  }
  return undefined;
}
