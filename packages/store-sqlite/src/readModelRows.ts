/**
 * The read model's tables as the read store and its index use them: the prepared statements
 * (made again after a reset) and the rows' shapes, with the conversions between rows and the
 * projection state (`rm_channels` and `rm_global` hold JSON bodies, `rm_months` one column a
 * fact, bigints as decimal text).
 */
import type { Database as DB, Statement } from 'better-sqlite3';
import type { ChannelState, Month, ProjectionState, TargetInEffect } from '@chanperf/domain';
import { alertCountEntries, alertCountsOf, MonthFacts, NO_CLAIMS, NO_TARGETS } from '@chanperf/domain/rules';
import { keyChunkStatements, type KeyChunkStatements } from './keyChunks.js';

/** The statements of the projection index (`projectionIndex.ts`). */
export interface IndexStatements {
  /** The order and sale indexes' keys (`keyChunks.ts`). */
  readonly orderKeys: KeyChunkStatements;
  readonly saleKeys: KeyChunkStatements;
  /** The file's hash seed for those keys. */
  indexSeed(): number;
  readonly addCert: Statement;
  readonly countCerts: Statement<[string, number, number], number>;
}

/** The index's statements over connection `db` (whose settings table holds `indexSeed`). */
export function indexStatements(db: DB, settingsTable = 'rm_settings'): IndexStatements {
  return {
    orderKeys: keyChunkStatements(db, 'rm_order_keys'),
    saleKeys: keyChunkStatements(db, 'rm_sale_keys', 'rm_sale_key_updates'),
    indexSeed: () =>
      Number(db.prepare(`SELECT value FROM ${settingsTable} WHERE key = 'indexSeed'`).pluck().get()),
    addCert: db.prepare(`INSERT OR IGNORE INTO rm_certs VALUES (?, ?, ?)`),
    countCerts: db
      .prepare<[string, number, number], number>(
        `SELECT COUNT(DISTINCT trainee_id) FROM rm_certs WHERE channel_id = ? AND month BETWEEN ? AND ?`,
      )
      .pluck(),
  };
}

/** The read model's prepared statements, by what they do. */
export interface ReadModelStatements extends IndexStatements {
  readonly coldMonths: Statement<[string, number], MonthRow>;
  readonly putChannel: Statement;
  readonly putMonth: Statement;
  readonly putGlobal: Statement;
  readonly putAlert: Statement;
  readonly putMovement: Statement;
  readonly putCheckpoint: Statement;
  readonly getCheckpoint: Statement<[], number>;
}

/** The read model's statements over connection `db`. */
export function readModelStatements(db: DB): ReadModelStatements {
  return {
    ...indexStatements(db),
    coldMonths: db.prepare<[string, number], MonthRow>(
      `SELECT * FROM rm_months WHERE channel_id = ? AND month < ?`,
    ),
    putChannel: db.prepare(`INSERT OR REPLACE INTO rm_channels VALUES (?, ?)`),
    putMonth: db.prepare(
      `INSERT OR REPLACE INTO rm_months VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    putGlobal: db.prepare(`INSERT OR REPLACE INTO rm_global VALUES (1, ?)`),
    putAlert: db.prepare(
      `INSERT INTO rm_alerts (alert_id, channel_id, kind, position, body) VALUES (?, ?, ?, ?, ?)`,
    ),
    putMovement: db.prepare(`INSERT INTO rm_tier_movements (channel_id, position, body) VALUES (?, ?, ?)`),
    putCheckpoint: db.prepare(`INSERT OR REPLACE INTO rm_checkpoint VALUES (1, ?)`),
    getCheckpoint: db.prepare<[], number>(`SELECT position FROM rm_checkpoint WHERE id = 1`).pluck(),
  };
}

/** `rm_channels.body`: a channel's state but its months. */
export interface ChannelBody {
  name: string;
  kind: ChannelState['kind'];
  online: boolean;
  region: string | null;
  registeredMonth: number;
  firstMonth: number;
  tierIndex: number;
  misses: number;
  tierChanges: { effective: number; index: number }[];
  alertCounts: [string, number][];
  /** (v2) Parent assignments, targets in effect and restated claims (claim inputs: `claimInputs.ts`). */
  assignments: ChannelState['assignments'];
  targets: TargetBody[];
  restatedClaims: string[];
}

/** (v2) A `TargetInEffect` with its amounts as decimal text. */
interface TargetBody {
  year: number;
  annualTarget: string;
  quarterlyNet: string[] | null;
  eventId: string;
}

/** `rm_global.body`: the program-wide facts. */
export interface GlobalBody {
  programs: ProjectionState['programs'];
  promotions: ProjectionState['promotions'];
  lastClosed: number | null;
  maxMonth: number | null;
  anyPromotedSale: boolean;
  priceChanges: ProjectionState['priceChanges'];
  v2Log: boolean;
}

/** An `rm_months` row. */
export interface MonthRow {
  channel_id: string;
  month: number;
  sales: string;
  returns: string;
  orders: number;
  units_sold: string;
  units_returned: string;
  sale_count: number;
  promo_numerator: string;
  restated: number;
  trainings: number;
  satisfaction_points: string;
  satisfaction_respondents: string;
  surveys: number;
}

/** An `rm_months` row's facts. */
export function factsOf(r: MonthRow): MonthFacts {
  return MonthFacts.of({
    sales: BigInt(r.sales),
    returns: BigInt(r.returns),
    orders: r.orders,
    unitsSold: BigInt(r.units_sold),
    unitsReturned: BigInt(r.units_returned),
    saleCount: r.sale_count,
    promoNumerator: BigInt(r.promo_numerator),
    restated: r.restated === 1,
    trainings: r.trainings,
    satisfactionPoints: BigInt(r.satisfaction_points),
    satisfactionRespondents: BigInt(r.satisfaction_respondents),
    surveys: r.surveys,
  });
}

/** A channel's `rm_channels` body. */
export function channelBodyOf(c: ChannelState): ChannelBody {
  return {
    name: c.name,
    kind: c.kind,
    online: c.online,
    region: c.region,
    registeredMonth: c.registeredMonth,
    firstMonth: c.firstMonth,
    tierIndex: c.tierIndex,
    misses: c.misses,
    tierChanges: c.tierChanges,
    alertCounts: alertCountEntries(c.alertCounts),
    assignments: c.assignments,
    targets: [...c.targets.values()].map((t) => ({
      year: t.year,
      annualTarget: t.annualTarget.toString(),
      quarterlyNet: t.quarterlyNet === null ? null : t.quarterlyNet.map(String),
      eventId: t.eventId,
    })),
    restatedClaims: [...c.restatedClaims],
  };
}

function targetOf(t: TargetBody): TargetInEffect {
  return {
    year: t.year,
    annualTarget: BigInt(t.annualTarget),
    quarterlyNet: t.quarterlyNet === null ? null : t.quarterlyNet.map((q) => BigInt(q)),
    eventId: t.eventId,
  };
}

/** A channel's state from its saved body, with `months` (filled by the caller) as its months. */
export function channelStateOf(
  channelId: string,
  b: ChannelBody,
  months: Map<Month, MonthFacts>,
): ChannelState {
  return {
    channelId,
    name: b.name,
    kind: b.kind,
    online: b.online,
    region: b.region,
    registeredMonth: b.registeredMonth,
    firstMonth: b.firstMonth,
    months,
    tierIndex: b.tierIndex,
    misses: b.misses,
    tierChanges: b.tierChanges,
    alertCounts: alertCountsOf(b.alertCounts),
    assignments: b.assignments,
    targets: b.targets.length === 0 ? NO_TARGETS : new Map(b.targets.map((t) => [t.year, targetOf(t)])),
    restatedClaims: b.restatedClaims.length === 0 ? NO_CLAIMS : new Set(b.restatedClaims),
  };
}

/** The `rm_global` body of `state`. */
export function globalBodyOf(state: ProjectionState): GlobalBody {
  return {
    programs: state.programs,
    promotions: state.promotions,
    lastClosed: state.lastClosed,
    maxMonth: state.maxMonth,
    anyPromotedSale: state.anyPromotedSale,
    priceChanges: state.priceChanges,
    v2Log: state.v2Log,
  };
}

/** Puts the saved program-wide facts `g` into a freshly made `state`. */
export function restoreGlobal(state: ProjectionState, g: GlobalBody): void {
  state.programs.push(...g.programs);
  state.promotions.push(...g.promotions);
  state.lastClosed = g.lastClosed;
  state.maxMonth = g.maxMonth;
  state.anyPromotedSale = g.anyPromotedSale;
  state.priceChanges.push(...g.priceChanges);
  state.v2Log = g.v2Log;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A sum for a TEXT column of `rm_months`: the bigint itself while it fits SQLite's 64-bit
 * integer (the column's TEXT affinity stores it as its decimal text, the same bytes as
 * `toString()`, converted by SQLite instead of a JavaScript string made per column and row),
 * its decimal text beyond.
 */
function sumCell(v: bigint): bigint | string {
  return v >= INT64_MIN && v <= INT64_MAX ? v : v.toString();
}

/** Writes one channel-month's facts as its `rm_months` row. */
export function putMonthRow(s: ReadModelStatements, channelId: string, month: Month, f: MonthFacts): void {
  s.putMonth.run(
    channelId,
    month,
    sumCell(f.sales),
    sumCell(f.returns),
    f.orders,
    sumCell(f.unitsSold),
    sumCell(f.unitsReturned),
    f.saleCount,
    sumCell(f.promoNumerator),
    f.restated ? 1 : 0,
    f.trainings,
    sumCell(f.satisfactionPoints),
    sumCell(f.satisfactionRespondents),
    f.surveys,
  );
}
