/**
 * How the feed's lines are written: most as objects through `JSON.stringify`; sales and
 * returns, most of the feed, by hand.
 */

/** A JSON value, for lines built as objects. */
export type Json = string | number | boolean | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * A `SaleRecorded` or `SaleReturned` line. Written by hand because it is most of the feed and
 * `JSON.stringify` dominates the cost; every string in it is a generated identifier, a
 * timestamp, a decimal or a validated currency, so none needs escaping.
 */
export function saleLine(
  type: 'SaleRecorded' | 'SaleReturned',
  eventId: string,
  occurredAt: string,
  channelId: string,
  orderId: string,
  sku: string,
  quantity: number,
  netAmount: string,
  currency: string,
  source: string,
): string {
  return (
    `{"eventId":"${eventId}","type":"${type}","occurredAt":"${occurredAt}","channelId":"${channelId}",` +
    `"data":{"orderId":"${orderId}","sku":"${sku}","quantity":${quantity},"netAmount":"${netAmount}",` +
    `"currency":"${currency}"},"source":"${source}"}`
  );
}

/**
 * A ring of the last `size` lines of some kind (for resends and conflicting duplicates):
 * `lines` holds them in ring order, `last()` is the one added last.
 */
export class LineRing {
  readonly lines: string[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  add(line: string): void {
    if (this.lines.length < this.size) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % this.size;
  }

  /** The line added last (the ring must not be empty). */
  last(): string {
    return this.lines[(this.next + this.lines.length - 1) % this.lines.length] as string;
  }
}
