/**
 * The recent derived facts of this process, so a live stream that reconnects with
 * `Last-Event-ID` gets what it missed. Each fact's id is `<log position>-<index in its batch>`:
 * one id per event, ordered, and naming the log position the client had reached. Facts are
 * not stored: the history holds the last `capacity` facts seen by this process; a client whose
 * id is older than that, or from before this process started, is told to re-read its snapshots.
 */
import type { DerivedFact } from '@chanperf/runtime';

export interface IdentifiedFact {
  readonly id: string;
  readonly fact: DerivedFact;
}

/** A fact kept in the history, with its id's parts as numbers (compared without parsing). */
interface Kept extends IdentifiedFact {
  readonly position: number;
  readonly index: number;
}

/** `P-I` → [P, I]; a bare position `P` (a snapshot's `x-chanperf-position`) is [P, ∞): after its whole batch. */
export function parseFactId(text: string): readonly [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (m === null) return undefined;
  return [Number(m[1]), m[2] === undefined ? Number.POSITIVE_INFINITY : Number(m[2])];
}

export class LiveHistory {
  private facts: Kept[] = [];
  /** The log position of the last batch seen, or undefined before the first. */
  private last: number | undefined;
  /** Whether facts were dropped from the front (the history no longer starts at this process's start). */
  private trimmed = false;

  constructor(private readonly capacity = 10_000) {}

  /** Records a committed batch's facts; returns them with their ids. */
  add(position: number, facts: readonly DerivedFact[]): IdentifiedFact[] {
    const identified = facts.map((fact, index) => ({ id: `${position}-${index}`, fact, position, index }));
    // A loop, not push(...identified): a catch-up batch can derive more facts than a call takes
    // arguments. Past capacity, only the newest `capacity` are kept.
    for (const f of identified) this.facts.push(f);
    if (this.facts.length > this.capacity) {
      this.facts = this.facts.slice(this.facts.length - this.capacity);
      this.trimmed = true;
    }
    this.last = position;
    return identified;
  }

  /**
   * What a client that last saw `lastEventId` missed: the facts after it, or `reset` when this
   * process cannot know (an id older than the history, from before this process, or unparsable).
   */
  since(lastEventId: string): IdentifiedFact[] | 'reset' {
    const id = parseFactId(lastEventId);
    if (id === undefined) return 'reset';
    const [p, i] = id;
    const oldest = this.facts[0];
    if (oldest === undefined) return this.last !== undefined && p >= this.last ? [] : 'reset';
    // Covered when nothing after the client's fact was dropped: with nothing dropped yet, any
    // fact from the first batch this process saw on; once trimmed, the oldest fact kept or later.
    const covered = this.trimmed
      ? p > oldest.position || (p === oldest.position && i >= oldest.index)
      : p >= oldest.position;
    if (!covered) return 'reset';
    return this.facts.filter((f) => f.position > p || (f.position === p && f.index > i));
  }
}
