/**
 * A projection as a value: a name, a version, its initial state and its rules. A read model is
 * made by one `(name, version)`; stores keep read models of different versions side by side,
 * each in its own place, so a new version can be built from the log beside the one answering
 * queries (docs/architecture.md "Read models side by side").
 */
import type { ChanperfEvent } from '../events.js';
import { evolve, type EvolveContext } from './evolve.js';
import { initialProjectionState, type ProjectionState } from './state.js';

export interface ProjectionDefinition<S, C, E> {
  /** Which read model (`channel-performance`): letters, digits and dashes. */
  readonly name: string;
  /**
   * Bumped whenever the rules or the saved rows change: a read model made by another version
   * is never projected further, it is rebuilt beside.
   */
  readonly version: number;
  initialState(): S;
  evolve(ctx: C, event: E): void;
}

/** The channel-performance projection's kind of definition (what the runner and stores take). */
export type ChannelProjection = ProjectionDefinition<ProjectionState, EvolveContext, ChanperfEvent>;

/**
 * The channel-performance read model of spec v2 (version 8: from 7 the claim inputs before the
 * first price change are read from the log, not kept in the read model).
 */
export const CHANNEL_PERFORMANCE: ChannelProjection = {
  name: 'channel-performance',
  version: 8,
  initialState: initialProjectionState,
  evolve,
};
