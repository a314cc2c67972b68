/**
 * Group commit: requests waiting at the same time go into one ingest call, and each gets back
 * exactly the outcomes of its own inputs; a failed call fails its whole group and only it.
 */
import type { Outcome, RawInput } from '@chanperf/engine';
import { describe, expect, it } from 'vitest';
import { groupCommitter, type IngestCall } from './groupCommit.js';

const inputs = (...texts: string[]): RawInput[] =>
  texts.map((text) => ({ text, source: 'http', line: null }));

/** An outcome naming its input, so a request can tell whose outcomes it got. */
const accepted = (input: RawInput): Outcome => ({ status: 'accepted', eventId: input.text });

interface Call {
  readonly texts: string[];
  readonly redriving: readonly (number | null)[] | undefined;
  finish(): void;
  fail(err: Error): void;
}

/** An ingest whose calls finish when the test says so. */
function heldIngest(): { call: IngestCall; calls: Call[] } {
  const calls: Call[] = [];
  const call: IngestCall = (given, redriving) =>
    new Promise((resolve, reject) => {
      calls.push({
        texts: given.map((i) => i.text),
        redriving,
        finish: () => resolve(given.map(accepted)),
        fail: reject,
      });
    });
  return { call, calls };
}

const ids = (outcomes: Outcome[]) => outcomes.map((o) => ('eventId' in o ? o.eventId : null));
const OPTIONS = { maxInputs: 50_000 };
/** The end of the current turn of the event loop (after its setImmediate callbacks). */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('given nothing else pending, when a request comes, then it is committed at the end of the turn, alone', async () => {
    const { call, calls } = heldIngest();
    const ingest = groupCommitter(call, OPTIONS);
    void ingest(inputs('a1', 'a2'));
    await turn();
    expect(calls.map((c) => c.texts)).toEqual([['a1', 'a2']]);
  });

  it('given requests coming in the same turn of the event loop, then they are committed together', async () => {
    const { call, calls } = heldIngest();
    const ingest = groupCommitter(call, OPTIONS);
    const a = ingest(inputs('a1'));
    const b = ingest(inputs('b1'));
    await turn();
    expect(calls.map((c) => c.texts)).toEqual([['a1', 'b1']]);
    calls[0]?.finish();
    expect(ids(await a)).toEqual(['a1']);
    expect(ids(await b)).toEqual(['b1']);
  });

  it('given a commit under way, when requests come meanwhile, then they are committed next as one group, each answered with its own outcomes', async () => {
    const { call, calls } = heldIngest();
    const ingest = groupCommitter(call, OPTIONS);
    const a = ingest(inputs('a1'));
    await turn();
    const b = ingest(inputs('b1', 'b2'));
    const c = ingest(inputs('c1'));
    await turn();
    expect(calls).toHaveLength(1);
    calls[0]?.finish();
    expect(ids(await a)).toEqual(['a1']);
    await turn();
    expect(calls.map((x) => x.texts)).toEqual([['a1'], ['b1', 'b2', 'c1']]);
    calls[1]?.finish();
    expect(ids(await b)).toEqual(['b1', 'b2']);
    expect(ids(await c)).toEqual(['c1']);
  });

  it('given maxInputs, then a group takes no more requests past it (but always one)', async () => {
    const { call, calls } = heldIngest();
    const ingest = groupCommitter(call, { maxInputs: 3 });
    void ingest(inputs('a1'));
    await turn();
    void ingest(inputs('b1', 'b2', 'b3', 'b4'));
    void ingest(inputs('c1'));
    calls[0]?.finish();
    await expect.poll(() => calls.length).toBe(2);
    expect(calls[1]?.texts).toEqual(['b1', 'b2', 'b3', 'b4']);
    calls[1]?.finish();
    await expect.poll(() => calls.length).toBe(3);
    expect(calls[2]?.texts).toEqual(['c1']);
  });

  it('given a failed commit, then every request of its group gets the error, and the next group commits', async () => {
    const { call, calls } = heldIngest();
    const ingest = groupCommitter(call, OPTIONS);
    const a = ingest(inputs('a1'));
    await turn();
    const b = ingest(inputs('b1'));
    const c = ingest(inputs('c1'));
    calls[0]?.finish();
    await a;
    await expect.poll(() => calls.length).toBe(2);
    const full = new Error('storage full');
    calls[1]?.fail(full);
    await expect(b).rejects.toBe(full);
    await expect(c).rejects.toBe(full);
    const d = ingest(inputs('d1'));
    await turn();
    expect(calls.map((x) => x.texts)).toEqual([['a1'], ['b1', 'c1'], ['d1']]);
    calls[2]?.finish();
    expect(ids(await d)).toEqual(['d1']);
  });

  it('given a redrive in a group, then the ids it redrives line up with its inputs, the others null', async () => {
    const { call, calls } = heldIngest();
    const ingest = groupCommitter(call, OPTIONS);
    void ingest(inputs('a1'));
    await turn();
    void ingest(inputs('b1', 'b2'));
    void ingest(inputs('r1'), [7]);
    calls[0]?.finish();
    await expect.poll(() => calls.length).toBe(2);
    expect(calls[0]?.redriving).toBeUndefined();
    expect(calls[1]?.redriving).toEqual([null, null, 7]);
  });

  it('given an ingest answering fewer outcomes than inputs, then the group fails rather than misattributing', async () => {
    const ingest = groupCommitter(() => Promise.resolve([]), OPTIONS);
    await expect(ingest(inputs('a1'))).rejects.toThrow(/0 outcomes for 1 inputs/);
  });
});
