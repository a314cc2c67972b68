/**
 * (spec v2) `TargetSet` lines (spec §4 Targets): a partner's annual net target at
 * registration (or, for some, only in the second half of the year), next year's in December,
 * and — after the close of Q1, Q2 or Q3 — one revision that re-phases the commitment of a
 * partner behind it so that the closed quarters are kept (`TARGET_BEHIND_RETRACTED`).
 */
import { HOUR } from './calendar.js';
import type { FeedContext } from './feedContext.js';
import { formatMinor } from './money.js';
import type { Partner } from './partners.js';
import type { V2Cast } from './v2Cast.js';
import { eventLine, type NetBook } from './v2Lines.js';

/** The quarter targets of a partner's year as the engine holds them (minor units). */
type Quarters = [number, number, number, number];

export class TargetLines {
  /** Quarter targets by `index:year`. */
  private readonly held = new Map<string, Quarters>();

  constructor(
    private readonly ctx: FeedContext,
    private readonly cast: V2Cast,
    private readonly book: NetBook,
  ) {}

  /** The target of `p` for the current month's year, set on day `day` (registration or late). */
  initial(p: Partner, day: number, late: boolean): string {
    const { mo } = this.ctx;
    const from = p.joinMonth === this.ctx.mi && !late ? mo.month : 1;
    return this.target(p, mo.year, from, day, `TGT-${p.id}-${mo.year}${late ? '-L' : ''}`);
  }

  /** Next year's target of `p`, set on day `day` of a December. */
  nextYear(p: Partner, day: number): string {
    const year = this.ctx.mo.year + 1;
    return this.target(p, year, 1, day, `TGT-${p.id}-${year}`);
  }

  /** Whether `p` gets a target for next year (set in December). */
  hasTargets(p: Partner): boolean {
    return this.cast.perPartner[p.index]?.target !== 'none';
  }

  private target(p: Partner, year: number, fromMonth: number, day: number, eventId: string): string {
    const { ctx } = this;
    const plan = this.cast.perPartner[p.index];
    const factor = plan?.factor ?? 100;
    const months = 13 - fromMonth;
    const runRate = p.level / ctx.minorPerMajor;
    const major = Math.max(1000, Math.round((runRate * months * factor) / 100 / 1000) * 1000);
    const annual = major * ctx.minorPerMajor;
    let quarters: Quarters;
    if (plan?.split === true) {
      // Weighted by the quarter's months from `fromMonth` on, rising through the year.
      const w = [1, 2, 3, 4].map((q) => {
        let active = 0;
        for (let m = 3 * q - 2; m <= 3 * q; m++) if (m >= fromMonth) active++;
        return active * (96 + 4 * q);
      });
      const total = w.reduce((a, b) => a + b, 0);
      const q = w.slice(0, 3).map((x) => Math.floor((annual * x) / total));
      quarters = [q[0] ?? 0, q[1] ?? 0, q[2] ?? 0, annual - q.reduce((a, b) => a + b, 0)];
    } else {
      const quarter = Math.floor(annual / 4);
      quarters = [quarter, quarter, quarter, annual - 3 * quarter];
    }
    this.held.set(`${p.index}:${year}`, quarters);
    return this.line(p, year, eventId, day, annual, plan?.split === true ? quarters : undefined);
  }

  private line(p: Partner, year: number, eventId: string, day: number, annual: number, q?: Quarters): string {
    const { ctx } = this;
    const money = (v: number) => formatMinor(v, ctx.cfg.digits);
    const data =
      q === undefined
        ? { year: String(year).padStart(4, '0'), annualNet: money(annual) }
        : { year: String(year).padStart(4, '0'), annualNet: money(annual), quarterlyNet: q.map(money) };
    const at = ctx.ts(ctx.mo, day, this.cast.rnd.int(9 * HOUR, 18 * HOUR));
    return eventLine(eventId, 'TargetSet', at, p.id, data, 'channel-ops');
  }

  /**
   * Right after the close of quarter `quarter` (1–3) of `year`: a revision for one partner
   * behind its commitment whose closed quarters each have a net ≥ 0, so that every closed
   * quarter is kept (95% of its net) and the rest of the year carries the remainder; none
   * when no partner qualifies.
   */
  revision(partners: readonly Partner[], year: number, quarter: number, day: number): string | null {
    const start = this.cast.rnd.int(0, partners.length - 1);
    for (let k = 0; k < partners.length; k++) {
      const p = partners[(start + k) % partners.length] as Partner;
      const held = this.held.get(`${p.index}:${year}`);
      if (held === undefined || !p.registered) continue;
      const nets = [1, 2, 3, 4].slice(0, quarter).map((q) => this.quarterNet(p, year, q));
      const cumNet = nets.reduce((a, b) => a + b, 0);
      const cumTarget = held.slice(0, quarter).reduce((a, b) => a + b, 0);
      if (cumNet >= cumTarget || nets.some((n) => n < 0)) continue;
      const annual = held.reduce((a, b) => a + b, 0);
      const kept = nets.map((n) => Math.floor((n * 95) / 100));
      const rest = annual - kept.reduce((a, b) => a + b, 0);
      const open = 4 - quarter;
      const share = Math.floor(rest / open);
      const later = Array.from({ length: open }, (_, i) =>
        i === open - 1 ? rest - share * (open - 1) : share,
      );
      const revised = [...kept, ...later] as Quarters;
      this.held.set(`${p.index}:${year}`, revised);
      return this.line(p, year, `TGT-${p.id}-${year}-R${quarter}`, day, annual, revised);
    }
    return null;
  }

  private quarterNet(p: Partner, year: number, quarter: number): number {
    let net = 0;
    for (let m = 3 * quarter - 2; m <= 3 * quarter; m++)
      net += this.book.netOf(p, this.book.indexOf(year, m));
    return net;
  }
}
