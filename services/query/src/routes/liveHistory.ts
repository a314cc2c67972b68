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

/** `P-I` → [P, I]; a bare position `P` (a snapshot's `x-chanperf-position`) is [P, ∞): after its whole batch. */
export function parseFactId(text: string): readonly [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (m === null) return undefined;
  return [Number(m[1]), m[2] === undefined ? Number.POSITIVE_INFINITY : Number(m[2])];
}

const after = (f: IdentifiedFact, p: number, i: number): boolean => {
  const [fp, fi] = parseFactId(f.id) ?? [0, 0];
  return fp > p || (fp === p && fi > i);
};

export class LiveHistory {
  private readonly facts: IdentifiedFact[] = [];
  /** The log position of the last batch seen, or undefined before the first. */
  private last: number | undefined;
  /** Whether facts were dropped from the front (the history no longer starts at this process's start). */
  private trimmed = false;

  constructor(private readonly capacity = 10_000) {}

  /** Records a committed batch's facts; returns them with their ids. */
  add(position: number, facts: readonly DerivedFact[]): IdentifiedFact[] {
    const identified = facts.map((fact, i) => ({ id: `${position}-${i}`, fact }));
    this.facts.push(...identified);
    if (this.facts.length > this.capacity) {
      this.facts.splice(0, this.facts.length - this.capacity);
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
    const first = this.facts[0];
    const oldest = first === undefined ? undefined : parseFactId(first.id)?.[0];
    // Covered: the client is at or after the oldest batch kept, and nothing before it was dropped
    // that the client could have missed; or it has seen everything this process has seen.
    const covered =
      (this.last !== undefined && p >= this.last) ||
      (oldest !== undefined && (p > oldest || (p === oldest && !this.trimmed)) && p <= (this.last ?? p));
    if (!covered) return 'reset';
    return this.facts.filter((f) => after(f, p, i));
  }
}
