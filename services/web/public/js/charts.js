// @ts-check
/**
 * Small SVG charts drawn by hand (no library to ship): bars (grouped or stacked, negatives
 * below the zero line) and lines (gaps where a value is null), with reference lines such as
 * the growth target. Every mark has a <title> so its exact value shows on hover, and each
 * chart is labelled for assistive technology; the pages put the same figures in tables.
 */
import { h, s } from './dom.js';
import { percent } from './format.js';
import { t } from './i18n.js';

/**
 * @typedef {object} Series
 * @property {string} name
 * @property {(number | null)[]} values
 * @property {string} cls          colour class: c1 … c6
 * @property {(value: number) => string} [format]   for titles (default: the axis format)
 */

/**
 * @typedef {object} ChartOptions
 * @property {string} title
 * @property {string} [subtitle]
 * @property {string[]} categories                   x labels, one per value
 * @property {Series[]} series
 * @property {'bar' | 'line'} type
 * @property {'grouped' | 'stacked'} [mode]          bars only
 * @property {(value: number) => string} axisFormat
 * @property {{ value: number, label: string }[]} [refLines]
 * @property {boolean[]} [provisional]               categories drawn as provisional (open months)
 * @property {string} [key]                          stable id for tests and focus
 * @property {'wide' | 'narrow'} [size]              drawing size: narrow for three charts in a row
 */

/** Drawing sizes in SVG units: text stays legible once the SVG is scaled to its column. */
const SIZES = {
  wide: { W: 640, H: 230, M: { top: 14, right: 16, bottom: 30, left: 60 } },
  narrow: { W: 400, H: 240, M: { top: 14, right: 12, bottom: 28, left: 50 } },
};

/**
 * Round tick values covering [min, max].
 * @param {number} min
 * @param {number} max
 * @returns {number[]}
 */
export function niceTicks(min, max) {
  if (max === min) max = min + 1;
  const raw = (max - min) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  const step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * mag;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  /** @type {number[]} */
  const ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Math.abs(v) < step / 1e6 ? 0 : v);
  return ticks;
}

/**
 * The y extent a chart needs (always including 0 and the reference lines).
 * @param {ChartOptions} o
 * @returns {[number, number]}
 */
function extent(o) {
  let lo = 0;
  let hi = 0;
  const n = o.categories.length;
  if (o.type === 'bar' && o.mode === 'stacked') {
    for (let i = 0; i < n; i++) {
      let pos = 0;
      let neg = 0;
      for (const se of o.series) {
        const v = se.values[i] ?? 0;
        if (v >= 0) pos += v;
        else neg += v;
      }
      hi = Math.max(hi, pos);
      lo = Math.min(lo, neg);
    }
  } else {
    for (const se of o.series)
      for (const v of se.values) {
        if (v === null) continue;
        hi = Math.max(hi, v);
        lo = Math.min(lo, v);
      }
  }
  for (const r of o.refLines ?? []) {
    hi = Math.max(hi, r.value);
    lo = Math.min(lo, r.value);
  }
  return [lo, hi];
}

/**
 * A chart as a <figure>: caption, legend, SVG.
 * @param {ChartOptions} o
 * @returns {HTMLElement}
 */
export function chart(o) {
  const { W, H, M } = SIZES[o.size ?? 'narrow'];
  const [lo, hi] = extent(o);
  const ticks = niceTicks(lo, hi);
  const yMin = ticks[0] ?? 0;
  const yMax = ticks[ticks.length - 1] ?? 1;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  /** @param {number} v */
  const y = (v) => M.top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const n = Math.max(1, o.categories.length);
  const band = plotW / n;
  /** @param {number} i */
  const cx = (i) => M.left + band * i + band / 2;

  /** @type {SVGElement[]} */
  const marks = [];
  // Grid and y axis labels.
  for (const tick of ticks) {
    marks.push(
      s('line', {
        class: tick === 0 ? 'zero' : 'grid',
        x1: M.left,
        x2: W - M.right,
        y1: y(tick),
        y2: y(tick),
      }),
    );
    marks.push(
      s('text', { class: 'axis', x: M.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, o.axisFormat(tick)),
    );
  }
  // X labels: thinned so they never overlap.
  const every = Math.ceil(n / (W >= 600 ? 9 : 6)); // month labels are "Mar 2026" / "2026年3月"
  o.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    marks.push(s('text', { class: 'axis', x: cx(i), y: H - M.bottom + 16, 'text-anchor': 'middle' }, c));
  });

  if (o.type === 'bar') {
    const stacked = o.mode === 'stacked';
    const k = stacked ? 1 : o.series.length;
    const inner = (band * 0.72) / k;
    for (let i = 0; i < o.categories.length; i++) {
      let pos = 0;
      let neg = 0;
      o.series.forEach((se, j) => {
        const v = se.values[i];
        if (v === null || v === undefined) return;
        let from;
        let to;
        if (stacked) {
          from = v >= 0 ? pos : neg;
          to = from + v;
          if (v >= 0) pos = to;
          else neg = to;
        } else {
          from = 0;
          to = v;
        }
        const x = M.left + band * i + band * 0.14 + (stacked ? 0 : inner * j);
        const top = Math.min(y(from), y(to));
        const height = Math.max(Math.abs(y(from) - y(to)), v === 0 ? 0 : 1);
        const cls = `bar ${se.cls}${o.provisional?.[i] === true ? ' provisional' : ''}`;
        const fmt = se.format ?? o.axisFormat;
        marks.push(
          s(
            'rect',
            { class: cls, x, y: top, width: Math.max(1, inner - 1), height },
            s('title', {}, `${o.categories[i] ?? ''} · ${se.name}: ${fmt(v)}`),
          ),
        );
      });
    }
  } else {
    for (const se of o.series) {
      let d = '';
      let pen = false;
      se.values.forEach((v, i) => {
        if (v === null) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${cx(i).toFixed(1)} ${y(v).toFixed(1)}`;
        pen = true;
      });
      marks.push(s('path', { class: `line ${se.cls}`, d }));
      const fmt = se.format ?? o.axisFormat;
      se.values.forEach((v, i) => {
        if (v === null) return;
        const cls = `dot ${se.cls}${o.provisional?.[i] === true ? ' provisional' : ''}`;
        marks.push(
          s(
            'circle',
            { class: cls, cx: cx(i), cy: y(v), r: 4 },
            s('title', {}, `${o.categories[i] ?? ''} · ${se.name}: ${fmt(v)}`),
          ),
        );
      });
    }
  }
  marks.push(...refLines(o.refLines ?? [], y, M.left, W - M.right));

  const label = `${o.title}${o.subtitle === undefined ? '' : ` — ${o.subtitle}`}`;
  return h(
    'figure',
    { class: 'chart', 'data-chart': o.key ?? null },
    h(
      'figcaption',
      {},
      h('span', { class: 'chart-title' }, o.title),
      o.subtitle === undefined ? null : h('span', { class: 'chart-sub' }, o.subtitle),
    ),
    h(
      'ul',
      { class: 'legend', 'aria-hidden': 'true' },
      o.series.map((se) => h('li', {}, h('span', { class: `swatch ${se.cls}` }), se.name)),
      o.provisional?.some(Boolean) === true
        ? h('li', {}, h('span', { class: 'swatch provisional-swatch' }), t('open month (provisional)'))
        : null,
    ),
    s(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' },
      marks,
    ),
  );
}

/** Height of a reference line's label, in SVG units (the font is 11px). */
const LABEL_H = 12;

/**
 * Reference lines (targets) with their labels, each label above its line, or below it where
 * it would overlap the label of a line close by (a target that changed by a little), and left
 * out (the line kept) where neither side is free: the chart's subtitle lists every target.
 * @param {readonly { value: number, label: string }[]} lines
 * @param {(v: number) => number} y
 * @param {number} x1
 * @param {number} x2
 * @returns {SVGElement[]}
 */
function refLines(lines, y, x1, x2) {
  /** @type {SVGElement[]} */
  const out = [];
  /** @type {number[]} baselines of the labels placed so far */
  const placed = [];
  const free = (/** @type {number} */ base) => placed.every((p) => Math.abs(p - base) >= LABEL_H);
  for (const r of [...lines].sort((a, b) => b.value - a.value)) {
    const at = y(r.value);
    out.push(s('line', { class: 'ref', x1, x2, y1: at, y2: at }));
    const base = [at - 4, at + LABEL_H].find(free);
    if (base === undefined) continue;
    placed.push(base);
    out.push(s('text', { class: 'ref-label', x: x2 - 2, y: base, 'text-anchor': 'end' }, r.label));
  }
  return out;
}

/**
 * Month-over-month growth against the program's target as a line chart (a partner's, a
 * distributor tree's): one reference line per target the months had (a program that changed
 * its target has several), all named in the subtitle.
 * @param {{ key: string, title: string, categories: string[], provisional: boolean[],
 *   months: readonly { growthBps: number | null, targetBps: number }[] }} o
 * @returns {HTMLElement}
 */
export function growthChart(o) {
  const targets = [...new Set(o.months.map((m) => m.targetBps))];
  return chart({
    key: o.key,
    type: 'line',
    title: o.title,
    subtitle: t('target {targets}', { targets: targets.map((bps) => percent(bps)).join(t(', ')) }),
    categories: o.categories,
    provisional: o.provisional,
    axisFormat: (v) => `${Math.round(v / 100)}%`,
    refLines: targets.map((bps) => ({ value: bps, label: t('target {target}', { target: percent(bps) }) })),
    series: [
      { name: t('Growth'), cls: 'c2', values: o.months.map((m) => m.growthBps), format: (v) => percent(v) },
    ],
  });
}
