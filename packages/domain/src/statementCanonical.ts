/**
 * The canonical form of a statement, which its SHA-256 is taken of, and the figure-by-figure
 * comparison `verify-statement` reports (docs/decisions.md "Partner statements").
 *
 * Canonical JSON: UTF-8, no whitespace, object keys sorted by UTF-16 code units at every level,
 * arrays in their order, strings as `JSON.stringify` writes them, numbers only as integers (a
 * statement's amounts are decimal strings; its counts, bps and positions integers). For this
 * subset it is RFC 8785 (JCS): the text, hence the hash, does not depend on the key order the
 * document was written or read back in, nor on its indentation.
 */

/** The canonical JSON text of `value` (throws on a non-integer number or a non-JSON value). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new Error(`canonical JSON: ${String(value)} is not a safe integer`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonical JSON: a ${typeof value} is not JSON`);
}

/** One figure that differs: where (`months[2026-03].net`), what it was and what it is (undefined: absent). */
export interface FigureChange {
  readonly path: string;
  readonly old: unknown;
  readonly new: unknown;
}

/** The fields that name an element of a list, in the order they are tried. */
const KEYS = ['month', 'eventId', 'changeId', 'quarter', 'year'] as const;

/** The field every element of both lists has, with distinct values: the elements' names in paths. */
function keyOf(a: readonly unknown[], b: readonly unknown[]): string | undefined {
  const all = [...a, ...b];
  return KEYS.find((k) =>
    [a, b].every((list) => {
      const seen = new Set<unknown>();
      for (const x of list) {
        const v = typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[k] : undefined;
        if (typeof v !== 'string' || seen.has(v)) return false;
        seen.add(v);
      }
      return all.length > 0;
    }),
  );
}

function diffLists(path: string, a: readonly unknown[], b: readonly unknown[], out: FigureChange[]): void {
  const key = keyOf(a, b);
  if (key === undefined) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffInto(`${path}[${i}]`, a[i], b[i], out);
    return;
  }
  const name = (x: unknown) => String((x as Record<string, unknown>)[key]);
  const byName = new Map(b.map((x) => [name(x), x]));
  for (const x of a) diffInto(`${path}[${name(x)}]`, x, byName.get(name(x)), out);
  const before = new Set(a.map(name));
  for (const y of b) if (!before.has(name(y))) diffInto(`${path}[${name(y)}]`, undefined, y, out);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function diffInto(path: string, a: unknown, b: unknown, out: FigureChange[]): void {
  if (Array.isArray(a) && Array.isArray(b)) return diffLists(path, a, b, out);
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) diffInto(path === '' ? k : `${path}.${k}`, a[k], b[k], out);
    return;
  }
  if (a === b) return;
  if (a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b)) return;
  out.push({ path, old: a, new: b });
}

/**
 * Every figure of `b` that differs from `a`'s, leaf by leaf, in document order; elements of a
 * list named by their month, eventId, changeId, quarter or year (else their index).
 */
export function diffFigures(a: unknown, b: unknown): FigureChange[] {
  const out: FigureChange[] = [];
  diffInto('', a, b, out);
  return out;
}

/** A change as one line: `path: old → new` (absent: `(none)`; objects and lists as compact JSON). */
export function formatChange(c: FigureChange): string {
  const text = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : canonicalJson(v));
  return `${c.path}: ${text(c.old)} → ${text(c.new)}`;
}
