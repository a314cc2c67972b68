// @ts-check
/**
 * Reads made on demand by the view that shows them (a partner's trainings, targets, claims…;
 * the price-protection and tree views), not with the snapshots: one read per path and
 * snapshot generation, the previous answer staying on screen while it is read again.
 *
 * The answers live in `state.data.reads`, so signing out (a new `Data`) forgets them, and an
 * answer that arrives after the figures moved on (a newer generation) is dropped: a newer
 * read follows.
 */
import { getJson } from './api.js';
import { state } from './state.js';

/** Bumped by every snapshot re-read: an answer read before it is stale. */
let generation = 0;
/** @type {Set<string>} */
const inFlight = new Set();

/** The snapshots were read again: every on-demand answer is read again when next shown. */
export function nextGeneration() {
  generation++;
  return generation;
}

/** The current snapshot generation. */
export function currentGeneration() {
  return generation;
}

/**
 * The answer of `GET path` as last read (undefined before the first read answers; an Error
 * when it failed), and a read of it if it predates the latest snapshots.
 * @template T
 * @param {string} path
 * @param {() => void} rerender   called when the answer arrives
 * @returns {T | Error | undefined}
 */
export function readOnDemand(path, rerender) {
  const session = state.session;
  const data = state.data;
  const known = data.reads.get(path);
  if (session === null || known?.asOf === generation)
    return /** @type {T | Error | undefined} */ (known?.result);
  const flight = `${generation}:${path}`;
  if (inFlight.has(flight)) return /** @type {T | Error | undefined} */ (known?.result);
  inFlight.add(flight);
  const asOf = generation;
  /** @param {unknown} result */
  const settle = (result) => {
    inFlight.delete(flight);
    // Signed out, or the figures moved on meanwhile: a newer read follows.
    if (state.data !== data || asOf !== generation) return;
    data.reads.set(path, { result, asOf });
    rerender();
  };
  getJson(session.key, path).then(settle, (err) =>
    settle(err instanceof Error ? err : new Error(String(err))),
  );
  return /** @type {T | Error | undefined} */ (known?.result);
}
