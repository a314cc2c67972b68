/**
 * The CLI on a database other processes use: who may do what, and waiting one's turn.
 *
 * - Appending needs no turn: the log decides inside each append (any number of writers).
 * - Ingesting a file takes the file's lease, so two `ingest` of one file do not both resume
 *   from the same checkpoint; the second waits, then resumes after the first (nothing left).
 * - Projecting takes the read model's `projector` lease. When a live process holds it (a
 *   `serve`, another `ingest`), `ingest` appends only and `report`/`project` wait for that
 *   projector to reach the log's head. `rebuild` needs no turn: it builds beside the read model.
 *
 * Every wait says whom it waits for, once: a log line (level warn) on stderr.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeHolder, EngineError, PROJECTOR_LEASE, type Lease } from '@chanperf/engine';
import type { SqliteStore } from '@chanperf/store-sqlite';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { fileKey } from './resumePoint.js';

/** How often a waiting command looks again. */
const POLL_MS = 100;

export interface Turn {
  /** Gives the lease back (idempotent). */
  release(): void;
}

/**
 * Holds `lease` while the command runs: renews it on a timer until released. Throws
 * `LEASE_TIMEOUT` when it could not be had within `waitMs` (default: wait as long as it takes).
 */
export async function takeTurn(
  lease: Lease,
  options: {
    readonly waiting: (holder: string) => string;
    readonly logger: Logger;
    readonly waitMs?: number;
    readonly ttlMs?: number;
  },
): Promise<Turn> {
  const deadline = options.waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.waitMs;
  let said = false;
  while (!lease.tryAcquire()) {
    const holder = lease.holder();
    if (holder !== undefined && !said) {
      options.logger.warn(`chanperf: ${options.waiting(describeHolder(holder))}`);
      said = true;
    }
    if (Date.now() >= deadline) {
      throw new EngineError(
        'LEASE_TIMEOUT',
        holder === undefined
          ? `could not take the ${lease.name} lease`
          : `the ${lease.name} lease is held by ${describeHolder(holder)}; stop it or try again later`,
        false,
      );
    }
    await sleep(POLL_MS);
  }
  return heldTurn(lease, options.ttlMs ?? 10_000);
}

/** Takes `lease` if it is free now, without waiting; says who holds it otherwise. */
export function tryTurn(lease: Lease, ttlMs = 10_000): Turn | { readonly heldBy: string } {
  if (!lease.tryAcquire()) {
    const holder = lease.holder();
    return { heldBy: holder === undefined ? 'another process' : describeHolder(holder) };
  }
  return heldTurn(lease, ttlMs);
}

/** `lease`, just acquired, held until released: renewed on a timer, every quarter of `ttlMs`. */
function heldTurn(lease: Lease, ttlMs: number): Turn {
  const renewal = setInterval(() => lease.renew(), Math.max(100, Math.floor(ttlMs / 4)));
  renewal.unref();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      clearInterval(renewal);
      lease.release();
    },
  };
}

/** The `projector` lease of `store`'s read model, held by this command. */
export function projectorLease(store: SqliteStore, what: string): Lease {
  return store.lease(PROJECTOR_LEASE, what);
}

/**
 * Waits until the read model reflects the log's head: by taking the projector's lease (the
 * caller then projects; release the returned turn when done), or, while another live process
 * holds it, by waiting for that process to project up to the head (undefined is returned).
 * Should that process go away meanwhile, the lease is taken over.
 */
export async function projectedByUsOrThem(
  store: SqliteStore,
  what: string,
  logger: Logger,
): Promise<Turn | undefined> {
  const lease = projectorLease(store, what);
  let said = false;
  for (;;) {
    const turn = tryTurn(lease);
    if (!('heldBy' in turn)) return turn;
    const head = await store.log.head();
    if ((await store.readStore.position()) >= head) return undefined;
    if (!said) {
      logger.warn(`chanperf: waiting for ${turn.heldBy} to project the read model up to ${head}`);
      said = true;
    }
    await sleep(POLL_MS);
  }
}

/**
 * The turn of the file at `path` (by the identity `ingest` resumes it under): a second
 * `ingest` of the same file waits for the first, then resumes after it.
 */
export function fileTurn(store: SqliteStore, path: string, logger: Logger): Promise<Turn> {
  return takeTurn(store.lease(`ingest:${fileKey(path)}`, `chanperf ingest ${basename(path)}`), {
    waiting: (holder) => `waiting for ${holder}, which is ingesting this file`,
    logger,
  });
}
