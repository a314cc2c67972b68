/**
 * (spec v2) Who does what in a v2 feed, drawn once at the start from the v2 stream of draws
 * (`Random(seed, V2_SALT)`, so the partners' own lines keep the v1 feed's draws as far as the
 * v2 events leave them alone):
 * - a few distributors (总代) registering early in the first month (other early partners when
 *   there are too few distributors) head trees; about one
 *   partner in eight that registers after its head is a sub-partner (二级代理) from
 *   registration (`parentId`); a head's first sub-partner never moves (the deliberately
 *   invalid re-parentings lean on it);
 * - about 3% of the first month's partners fall silent for K + 1 or K + 2 months (K =
 *   `inactivityMonths`), from month 2 on, so `CHANNEL_INACTIVE` fires; the first one gets a
 *   late sale into the month of its alert, which retracts it;
 * - targets: most partners get one at registration, some only in the second half of the year,
 *   some never; 40% with a quarterly split; 80–120% of their run rate, so some fall behind.
 */
import type { FeedContext } from './feedContext.js';
import type { Partner } from './partners.js';
import { INACTIVITY_MONTHS } from './programLines.js';
import { Random } from './random.js';

const V2_SALT = 0x7632;

export type TargetPlan = 'none' | 'atRegistration' | 'late';

export interface SilentSpell {
  readonly partner: Partner;
  /** First and last silent month (indices). */
  readonly from: number;
  readonly to: number;
}

export interface PartnerV2 {
  readonly target: TargetPlan;
  /** A quarterly split is sent with its targets. */
  readonly split: boolean;
  /** Target as a percentage of the run rate. */
  readonly factor: number;
}

export class V2Cast {
  readonly rnd: Random;
  /** Tree heads, in registration order. */
  readonly heads: Partner[] = [];
  /** Parent at registration, by partner index. */
  readonly parentAtRegistration = new Map<number, Partner>();
  /** Per head index, its first sub-partner of the first month (never moved). */
  readonly stableChild = new Map<number, Partner>();
  readonly spells: SilentSpell[] = [];
  readonly perPartner: PartnerV2[];

  constructor(ctx: FeedContext, partners: readonly Partner[]) {
    this.rnd = new Random(ctx.cfg.seed, V2_SALT);
    const { rnd } = this;
    this.perPartner = partners.map(() => {
      const r = rnd.float();
      const target: TargetPlan = r < 0.12 ? 'none' : r < 0.22 ? 'late' : 'atRegistration';
      return { target, split: rnd.chance(0.4), factor: rnd.int(80, 120) };
    });
    this.castTrees(partners);
    this.castSpells(ctx, partners);
  }

  private castTrees(partners: readonly Partner[]): void {
    const { rnd } = this;
    const wanted = Math.min(5, Math.max(2, Math.round(partners.length / 40)));
    // Distributors that register early head the trees; when there are too few, other early
    // partners (a big reseller may run its own sub-partners).
    const early = partners.filter((p) => p.joinMonth === 0 && p.regDay <= 5);
    const byKind = [
      ...early.filter((p) => p.kind === 'distributor'),
      ...early.filter((p) => p.kind !== 'distributor'),
    ];
    this.heads.push(...byKind.slice(0, wanted));
    const key = (p: Partner) => p.joinMonth * 32 + p.regDay;
    for (const p of partners) {
      if (p.kind === 'distributor' || this.heads.includes(p) || !rnd.chance(0.125)) continue;
      const candidates = this.heads.filter((h) => key(h) < key(p));
      if (candidates.length === 0) continue;
      const head = rnd.pick(candidates);
      this.parentAtRegistration.set(p.index, head);
      if (p.joinMonth === 0 && !this.stableChild.has(head.index)) this.stableChild.set(head.index, p);
    }
    // Every head has a sub-partner from the first month (the invalid re-parentings need one).
    for (const head of this.heads) {
      if (this.stableChild.has(head.index)) continue;
      const child = partners.find(
        (p) =>
          p.joinMonth === 0 &&
          key(p) > key(head) &&
          p.kind !== 'distributor' &&
          !this.heads.includes(p) &&
          !this.parentAtRegistration.has(p.index),
      );
      if (child === undefined) continue;
      this.parentAtRegistration.set(child.index, head);
      this.stableChild.set(head.index, child);
    }
  }

  private castSpells(ctx: FeedContext, partners: readonly Partner[]): void {
    const { rnd } = this;
    const { months } = ctx.cfg;
    const k = INACTIVITY_MONTHS;
    // The alert month (from + K − 1) must be closed before the late sale's month (from + K).
    if (months < k + 3) return;
    const count = Math.max(1, Math.round(partners.length * 0.03));
    const candidates = partners.filter(
      (p) => p.joinMonth === 0 && !this.heads.includes(p) && !this.isStableChild(p),
    );
    for (const partner of rnd.sample(candidates, count)) {
      const from = rnd.int(2, months - k - 1);
      const to = Math.min(months - 1, from + k + rnd.int(0, 1));
      this.spells.push({ partner, from, to });
    }
  }

  isStableChild(p: Partner): boolean {
    for (const c of this.stableChild.values()) if (c === p) return true;
    return false;
  }

  /** Whether `p` is silent in month `mi`. */
  silent(p: Partner, mi: number): boolean {
    return this.spells.some((s) => s.partner === p && mi >= s.from && mi <= s.to);
  }
}
