/**
 * Alerts of spec §5 (v1 and the four v2 kinds), with deterministic ids `<kind>/<channelId>/<month>/<n>`.
 */
import { formatMonth, type Month } from '../calendar.js';
import type { ChannelState } from './state.js';

export type Alert =
  | {
      readonly id: string;
      readonly kind: 'GROWTH_TARGET_MISSED';
      readonly channelId: string;
      readonly month: string;
      readonly growthBps: number | null;
      readonly targetBps: number;
      readonly restated: boolean;
    }
  | {
      readonly id: string;
      readonly kind: 'GROWTH_TARGET_MISS_RETRACTED';
      readonly channelId: string;
      readonly month: string;
    }
  | {
      readonly id: string;
      readonly kind: 'TIER_DOWNGRADE_WARNING';
      readonly channelId: string;
      readonly month: string;
      readonly tier: string;
      readonly qualifyingTier: string;
    }
  | {
      readonly id: string;
      readonly kind: 'TIER_DOWNGRADED';
      readonly channelId: string;
      readonly month: string;
      readonly from: string;
      readonly to: string;
    }
  | {
      readonly id: string;
      readonly kind: 'TARGET_BEHIND';
      readonly channelId: string;
      /** The quarter's last month. */
      readonly month: string;
      readonly quarter: string;
      readonly cumulativeNet: string;
      readonly cumulativeTarget: string;
      readonly restated: boolean;
    }
  | {
      readonly id: string;
      readonly kind: 'TARGET_BEHIND_RETRACTED';
      readonly channelId: string;
      readonly month: string;
      readonly quarter: string;
    }
  | {
      readonly id: string;
      readonly kind: 'CHANNEL_INACTIVE';
      readonly channelId: string;
      readonly month: string;
      readonly idleMonths: number;
      readonly inactivityMonths: number;
      readonly lastSaleMonth: string | null;
      readonly restated: boolean;
    }
  | {
      readonly id: string;
      readonly kind: 'CHANNEL_INACTIVE_RETRACTED';
      readonly channelId: string;
      readonly month: string;
    };

export type AlertKind = Alert['kind'];

/** The next deterministic id for an alert of `kind` on a channel-month; counts it. */
export function nextAlertId(channel: ChannelState, kind: AlertKind, month: Month): string {
  const key = `${kind}/${month}`;
  const n = (channel.alertCounts.get(key) ?? 0) + 1;
  channel.alertCounts.set(key, n);
  return `${kind}/${channel.channelId}/${formatMonth(month)}/${n}`;
}

export interface TierMovement {
  readonly channelId: string;
  readonly from: string;
  readonly to: string;
  readonly reviewMonth: string;
  readonly effectiveMonth: string;
  readonly kind: 'UPGRADE' | 'DOWNGRADE';
}

/** Where the projection reports what it derived; the runner stores and publishes them. */
export interface ProjectionSink {
  alert(alert: Alert): void;
  tierMovement(movement: TierMovement): void;
}
