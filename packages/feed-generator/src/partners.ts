/**
 * The feed's partners: who they are (kind, name, region, ERP), when they join, how their
 * sales trend, and the small per-partner state the generator keeps as it goes — the current
 * month's plan and a ring of the most recent sales — as numbers, not objects, so that a month
 * of sales does not churn the old generation.
 */
import {
  drawTrend,
  ERP_SOURCES,
  KINDS,
  NAME_WORDS,
  PROFILES,
  REGIONS,
  SKUS,
  ZH_REGION,
  ZH_WORDS,
  type Kind,
  type Sku,
  type TrendParams,
} from './catalogue.js';
import type { FeedContext } from './feedContext.js';

/**
 * A partner's most recent sales, for returns, as a ring of RECENT records of R_FIELDS numbers
 * in `Partner.recent`:
 */
export const RECENT = 8;
export const R_MONTH = 0; // month index of the order id
export const R_SEQ = 1; // order number in that month; negative: late sale -n
export const R_SKU = 2; // index in SKUS
export const R_QUANTITY = 3; // quantity not yet returned
export const R_AMOUNT = 4; // amount not yet refunded, minor units (an integer < 2^53, exact)
export const R_SENT = 5; // month index × 32 + day on which the sale was sent
export const R_FIELDS = 6;

/** What a partner does on a day, as offsets in its `plan` (4 counts per day). */
export const PLAN_SALE = 0;
export const PLAN_RETURN = 1;
export const PLAN_TRAINING = 2;
export const PLAN_SURVEY = 3;

export interface Partner {
  /** Position in the list of partners. */
  readonly index: number;
  readonly id: string;
  readonly kind: Kind;
  readonly name: string;
  readonly region: string | undefined;
  readonly online: boolean | undefined;
  readonly source: string;
  /** Emits milliseconds in its sale timestamps (one ERP does). */
  readonly millis: boolean;
  readonly joinMonth: number;
  readonly regDay: number;
  readonly skus: readonly Sku[];
  readonly traineePool: number;
  trend: TrendParams;
  /** Underlying monthly net, minor units. */
  level: number;
  registered: boolean;
  /** Per day of the current month: [sales, returns, trainings, surveys] counts. */
  readonly plan: Uint16Array;
  salesLeft: number;
  amountLeft: number;
  orderSeq: number;
  returnSeq: number;
  trainingSeq: number;
  /** The most recent sales (see RECENT), and how many are there. */
  readonly recent: Float64Array;
  recentCount: number;
  recentNext: number;
}

interface Joining {
  readonly joinMonth: number;
  readonly regDay: number;
}

/**
 * When each partner registers, in order: about 85% on days 2–11 of the first month (none later
 * when the feed has one month), the others on a random day of a later month.
 */
function joinSchedule(ctx: FeedContext): Joining[] {
  const { cfg, rnd } = ctx;
  const joiners = cfg.months >= 2 ? Math.round(cfg.partners * 0.15) : 0;
  const initial = cfg.partners - joiners;
  const schedule: Joining[] = [];
  for (let i = 0; i < initial; i++) {
    schedule.push({ joinMonth: 0, regDay: 2 + Math.floor((i * 10) / initial) });
  }
  const later: Joining[] = [];
  for (let i = 0; i < joiners; i++) {
    const joinMonth = rnd.int(1, cfg.months - 1);
    later.push({ joinMonth, regDay: rnd.int(2, ctx.month(joinMonth).days - 1) });
  }
  later.sort((a, b) => a.joinMonth - b.joinMonth || a.regDay - b.regDay);
  schedule.push(...later);
  return schedule;
}

/** The feed's partners, `P0001` on, in the order they register. */
export function createPartners(ctx: FeedContext): Partner[] {
  const { cfg, rnd } = ctx;
  const schedule = joinSchedule(ctx);
  const width = Math.max(4, String(cfg.partners).length);
  const kindWeights = KINDS.map((k) => PROFILES[k].share);
  return schedule.map(({ joinMonth, regDay }, i): Partner => {
    const kind = rnd.weighted(KINDS, kindWeights);
    const profile = PROFILES[kind];
    const region = rnd.chance(0.9) ? rnd.pick(REGIONS) : undefined;
    const name = rnd.chance(0.35)
      ? `${region === undefined ? '' : (ZH_REGION[region] ?? '')}${rnd.pick(ZH_WORDS)}${rnd.pick(profile.zhNames)}`
      : `${rnd.pick(NAME_WORDS)} ${rnd.pick(profile.names)}`;
    let online: boolean | undefined;
    if (kind === 'ecommerce') online = rnd.chance(0.3) ? true : undefined;
    else if (kind === 'reseller' && rnd.chance(0.2)) online = true;
    else if (rnd.chance(0.1)) online = false;
    // Log-uniform base monthly net, in whole major units.
    const major = Math.round(profile.minNet * (profile.maxNet / profile.minNet) ** rnd.float());
    const source = rnd.pick(ERP_SOURCES);
    return {
      index: i,
      id: `P${String(i + 1).padStart(width, '0')}`,
      kind,
      name,
      region,
      online,
      source,
      millis: source === 'erp-k3-01',
      joinMonth,
      regDay,
      skus: rnd.sample(SKUS, rnd.int(2, 5)),
      traineePool: kind === 'distributor' ? rnd.int(6, 12) : rnd.int(2, 8),
      trend: drawTrend(rnd, kind),
      level: major * ctx.minorPerMajor,
      registered: false,
      plan: new Uint16Array(32 * 4),
      salesLeft: 0,
      amountLeft: 0,
      orderSeq: 0,
      returnSeq: 0,
      trainingSeq: 0,
      recent: new Float64Array(RECENT * R_FIELDS),
      recentCount: 0,
      recentNext: 0,
    };
  });
}
