/** Dirty marks: what the store must save after a batch. */
import type { ProjectionState } from './state.js';

export function markChannelDirty(state: ProjectionState, channelId: string): void {
  state.dirty.channels.add(channelId);
}

export function markGlobalDirty(state: ProjectionState): void {
  state.dirty.global = true;
}
