/**
 * What the feed sends after a good line besides the next one: exact resends of earlier lines
 * (ERP retries) and the deliberately bad lines the engine must reject — truncated JSON, schema
 * violations (quantity 0, a missing field, a timestamp without offset, too many decimals), an
 * unknown channel, a currency mismatch, and conflicting duplicates (an earlier sale's eventId
 * with a different amount).
 */
import { HOUR } from './calendar.js';
import type { ChannelLines } from './channelLines.js';
import { LineRing, type JsonObject } from './eventLines.js';
import type { FeedContext } from './feedContext.js';
import { formatMinor } from './money.js';
import type { Partner } from './partners.js';

type BadKind =
  | 'malformed'
  | 'quantityZero'
  | 'missingField'
  | 'noOffset'
  | 'tooManyDecimals'
  | 'unknownChannel'
  | 'currencyMismatch'
  | 'conflictingDuplicate';

const BAD_KINDS: readonly BadKind[] = [
  'malformed',
  'quantityZero',
  'missingField',
  'noOffset',
  'tooManyDecimals',
  'unknownChannel',
  'currencyMismatch',
  'conflictingDuplicate',
];

/** Exact resends per good line. */
const DUPLICATE_RATIO = 0.004;

const NONE: readonly string[] = [];

/** Resends and bad lines, interleaved with the good lines at `badLineRatio` and DUPLICATE_RATIO. */
export class ExtraLines {
  /** Bad lines sent so far. */
  badLines = 0;
  /** The last good lines, for resends. */
  private readonly recentLines = new LineRing(256);
  private badDebt = 0;
  private badGap: number;
  private badSeq = 0;
  private badKinds: BadKind[] = [];

  /** Draws the first gap between bad lines: construct it where the original order of draws has it. */
  constructor(
    private readonly ctx: FeedContext,
    private readonly channel: ChannelLines,
  ) {
    this.badGap = 0.5 + ctx.rnd.float();
  }

  /** A good line was sent: it may be resent later. */
  sent(line: string): void {
    this.recentLines.add(line);
  }

  /** Lines to send after a good line of `day`: resends of earlier lines and bad lines. */
  after(day: number): readonly string[] {
    const { rnd } = this.ctx;
    let out: string[] | undefined;
    const recent = this.recentLines.lines;
    if (recent.length > 0 && rnd.chance(DUPLICATE_RATIO)) {
      // An ERP retry: of the line just sent (30%) or of one of the last 256 good lines.
      (out ??= []).push(rnd.chance(0.3) ? this.recentLines.last() : rnd.pick(recent));
    }
    this.badDebt += this.ctx.cfg.badLineRatio;
    while (this.badDebt >= this.badGap && this.channel.registered.length > 0) {
      this.badDebt -= this.badGap;
      this.badGap = 0.5 + rnd.float();
      (out ??= []).push(this.badLine(day));
      this.badLines++;
    }
    return out ?? NONE;
  }

  /** A line the engine must reject; the kinds come round in shuffled cycles. */
  private badLine(day: number): string {
    const { rnd } = this.ctx;
    if (this.badKinds.length === 0) this.badKinds = rnd.sample(BAD_KINDS, BAD_KINDS.length);
    const kind = this.badKinds.pop() as BadKind;
    this.badSeq++;
    const recentSales = this.channel.recentSales.lines;
    if (kind === 'conflictingDuplicate' && recentSales.length > 0) {
      return conflictingDuplicate(this.ctx, rnd.pick(recentSales));
    }
    return badSale(this.ctx, kind, this.channel.registered, day, this.badSeq);
  }
}

/** An earlier sale's eventId with a different (valid) amount: the ERP re-keyed the line. */
function conflictingDuplicate(ctx: FeedContext, sale: string): string {
  const { minorPerMajor } = ctx;
  const original = JSON.parse(sale) as JsonObject;
  const data = original['data'] as JsonObject;
  const [whole = '0', fraction = '0'] = (data['netAmount'] as string).split('.');
  const amount = Number(whole) * minorPerMajor + Number(fraction) + ctx.rnd.int(1, 99) * minorPerMajor;
  return JSON.stringify({ ...original, data: { ...data, netAmount: formatMinor(amount, ctx.cfg.digits) } });
}

/** A sale of a registered partner, dated `day`, spoilt the `kind` way (order id `E<seq>`). */
function badSale(
  ctx: FeedContext,
  kind: BadKind,
  registered: readonly Partner[],
  day: number,
  seq: number,
): string {
  const { rnd, mo, minorPerMajor } = ctx;
  const { currency, digits } = ctx.cfg;
  const at = ctx.ts(mo, day, rnd.int(8 * HOUR, 20 * HOUR - 1));
  const p = rnd.pick(registered);
  const sku = rnd.pick(p.skus);
  const quantity = rnd.int(1, 20);
  const orderId = `O-${p.id}-${mo.label}-E${seq}`;
  const data: JsonObject = {
    orderId,
    sku: sku.id,
    quantity,
    netAmount: formatMinor(quantity * sku.price * minorPerMajor, digits),
    currency,
  };
  const event: JsonObject = {
    eventId: `${orderId}/1`,
    type: 'SaleRecorded',
    occurredAt: at,
    channelId: p.id,
    data,
    source: p.source,
  };
  if (kind === 'malformed') {
    const full = JSON.stringify(event);
    return full.slice(0, rnd.int(1, full.length - 2));
  }
  spoil(ctx, kind, event, seq);
  return JSON.stringify(event);
}

/** Makes the valid sale `event` (dated in the current month) invalid the `kind` way. */
function spoil(ctx: FeedContext, kind: Exclude<BadKind, 'malformed'>, event: JsonObject, seq: number): void {
  const { rnd, mo, minorPerMajor } = ctx;
  const { currency, digits } = ctx.cfg;
  const data = event['data'] as JsonObject;
  switch (kind) {
    case 'quantityZero':
      data['quantity'] = 0;
      break;
    case 'missingField': {
      const which = rnd.int(0, 4);
      if (which === 0) delete data['sku'];
      else if (which === 1) delete data['currency'];
      else if (which === 2) delete data['netAmount'];
      else if (which === 3) delete event['occurredAt'];
      else delete event['channelId'];
      break;
    }
    case 'noOffset':
      event['occurredAt'] = (event['occurredAt'] as string).slice(0, 19);
      break;
    case 'tooManyDecimals': {
      const amount = formatMinor(rnd.int(1, 99_999) * minorPerMajor + rnd.int(0, minorPerMajor - 1), digits);
      data['netAmount'] = `${amount}${digits === 0 ? '.' : ''}${rnd.int(1, 9)}`;
      break;
    }
    case 'unknownChannel': {
      const ghost = `X${String(rnd.int(1, 999)).padStart(3, '0')}-UNREG`;
      const ghostOrder = `O-${ghost}-${mo.label}-E${seq}`;
      event['channelId'] = ghost;
      event['eventId'] = `${ghostOrder}/1`;
      data['orderId'] = ghostOrder;
      break;
    }
    case 'currencyMismatch':
    case 'conflictingDuplicate': // no sale to conflict with yet: a currency mismatch instead
      data['currency'] = currency === 'USD' ? 'EUR' : 'USD';
      break;
  }
}
