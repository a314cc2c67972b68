/**
 * The facts of one channel in one calendar month, with exact sums that cost no allocation while
 * they are safe integers.
 *
 * Each money or quantity sum reads as a `bigint`, as it always has; it is held as a number while
 * its value is a safe integer (|v| ≤ 2^53 − 1) and as a `bigint` beyond. The rules add to the
 * hot sums with `addSales` and the like, and a sale then allocates nothing: as `bigint` fields
 * a sale made four to seven of them (a seventh of what a half of the 1M rebuild allocated).
 *
 * Why an addition of numbers is exact here: every number held is a safe integer, and so is
 * every amount, quantity and basis-point figure added (the validator's bounds: amounts parse to
 * safe integers or are refused, quantities and respondents are `z.int()`). The sum (or product)
 * of two safe integers, computed in doubles, is exact when its true value is a safe integer: every
 * integer up to 2^53 is a double. When the true value is 2^53 or more in magnitude, the rounded
 * one is too, since rounding is monotone and 2^53 is a double; `Number.isSafeInteger` then says
 * no, and the sum is computed again in `bigint` from the exact operands. So a number held is
 * always the exact sum, and the one test decides which representation the value takes.
 *
 * A value has one representation (a number when it is safe, a bigint only beyond), so two facts
 * with the same sums have the same fields.
 */

/** The sums kept past the safe integers, by name. */
type SumName =
  | 'sales'
  | 'returns'
  | 'unitsSold'
  | 'unitsReturned'
  | 'promoNumerator'
  | 'satisfactionPoints'
  | 'satisfactionRespondents';

/** A month's facts as plain values (what a store decodes, what a test writes). */
export interface MonthFactValues {
  sales: bigint;
  returns: bigint;
  orders: number;
  unitsSold: bigint;
  unitsReturned: bigint;
  saleCount: number;
  promoNumerator: bigint;
  restated: boolean;
  trainings: number;
  satisfactionPoints: bigint;
  satisfactionRespondents: bigint;
  surveys: number;
}

export class MonthFacts implements MonthFactValues {
  /** The facts of `v`. */
  static of(v: MonthFactValues): MonthFacts {
    const f = new MonthFacts();
    f.sales = v.sales;
    f.returns = v.returns;
    f.orders = v.orders;
    f.unitsSold = v.unitsSold;
    f.unitsReturned = v.unitsReturned;
    f.saleCount = v.saleCount;
    f.promoNumerator = v.promoNumerator;
    f.restated = v.restated;
    f.trainings = v.trainings;
    f.satisfactionPoints = v.satisfactionPoints;
    f.satisfactionRespondents = v.satisfactionRespondents;
    f.surveys = v.surveys;
    return f;
  }

  /** Distinct orderIds of SaleRecorded. */
  orders = 0;
  /** Number of SaleRecorded events (a channel with one is "active"). */
  saleCount = 0;
  /** A sale or return arrived after the month was closed. */
  restated = false;
  trainings = 0;
  /** (v2) Number of SatisfactionSurveyed events. */
  surveys = 0;

  // Each sum while it is a safe integer (0 while `big` holds it).
  private salesN = 0;
  private returnsN = 0;
  private unitsSoldN = 0;
  private unitsReturnedN = 0;
  private promoN = 0;
  private pointsN = 0;
  private respondentsN = 0;
  /** The sums past the safe integers; null while there are none. */
  private big: Map<SumName, bigint> | null = null;

  get sales(): bigint {
    return this.read('sales', this.salesN);
  }
  set sales(v: bigint) {
    this.salesN = this.write('sales', v);
  }
  get returns(): bigint {
    return this.read('returns', this.returnsN);
  }
  set returns(v: bigint) {
    this.returnsN = this.write('returns', v);
  }
  get unitsSold(): bigint {
    return this.read('unitsSold', this.unitsSoldN);
  }
  set unitsSold(v: bigint) {
    this.unitsSoldN = this.write('unitsSold', v);
  }
  get unitsReturned(): bigint {
    return this.read('unitsReturned', this.unitsReturnedN);
  }
  set unitsReturned(v: bigint) {
    this.unitsReturnedN = this.write('unitsReturned', v);
  }
  /** Σ sale × bonusBps − Σ return × bonusBps(original sale), not yet divided by 10000. */
  get promoNumerator(): bigint {
    return this.read('promoNumerator', this.promoN);
  }
  set promoNumerator(v: bigint) {
    this.promoN = this.write('promoNumerator', v);
  }
  /** Σ score × respondents. */
  get satisfactionPoints(): bigint {
    return this.read('satisfactionPoints', this.pointsN);
  }
  set satisfactionPoints(v: bigint) {
    this.pointsN = this.write('satisfactionPoints', v);
  }
  get satisfactionRespondents(): bigint {
    return this.read('satisfactionRespondents', this.respondentsN);
  }
  set satisfactionRespondents(v: bigint) {
    this.respondentsN = this.write('satisfactionRespondents', v);
  }

  /** A sale's amount and quantity (safe integers), and its bonus bps (0: none). */
  addSale(amount: number, quantity: number, bps: number): void {
    if (this.big === null) {
      const sales = this.salesN + amount;
      const units = this.unitsSoldN + quantity;
      const promo = bps === 0 ? this.promoN : this.promoN + amount * bps;
      if (Number.isSafeInteger(sales) && Number.isSafeInteger(units) && Number.isSafeInteger(promo)) {
        this.salesN = sales;
        this.unitsSoldN = units;
        this.promoN = promo;
        return;
      }
    }
    this.sales += BigInt(amount);
    this.unitsSold += BigInt(quantity);
    if (bps !== 0) this.promoNumerator += BigInt(amount) * BigInt(bps);
  }

  /** A return's amount and quantity (safe integers), and the bonus bps of its sale (0: none). */
  addReturn(amount: number, quantity: number, bps: number): void {
    if (this.big === null) {
      const returns = this.returnsN + amount;
      const units = this.unitsReturnedN + quantity;
      const promo = bps === 0 ? this.promoN : this.promoN - amount * bps;
      if (Number.isSafeInteger(returns) && Number.isSafeInteger(units) && Number.isSafeInteger(promo)) {
        this.returnsN = returns;
        this.unitsReturnedN = units;
        this.promoN = promo;
        return;
      }
    }
    this.returns += BigInt(amount);
    this.unitsReturned += BigInt(quantity);
    if (bps !== 0) this.promoNumerator -= BigInt(amount) * BigInt(bps);
  }

  private read(name: SumName, n: number): bigint {
    return this.big?.get(name) ?? BigInt(n);
  }

  /** Keeps `v` as sum `name`: answers the number to hold (0 when it is kept as a bigint). */
  private write(name: SumName, v: bigint): number {
    if (v >= MIN_SAFE && v <= MAX_SAFE) {
      if (this.big?.delete(name) === true && this.big.size === 0) this.big = null;
      return Number(v);
    }
    (this.big ??= new Map()).set(name, v);
    return 0;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** A month with no facts yet. */
export function emptyMonthFacts(): MonthFacts {
  return new MonthFacts();
}
