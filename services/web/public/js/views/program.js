// @ts-check
/**
 * The program view: the plan's KPIs per month (spec §6) — total and online net, the online
 * share, active and new partners, trainings completed, satisfaction — as charts, with the
 * same figures in a table — and (v2) satisfaction per quarter with the survey coverage
 * (GET /v1/program/quarters), left out on a v1 log.
 */
import { chart } from '../charts.js';
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import { compactMoney, money, monthLabel, percent } from '../format.js';
import { numCell, onDemandSection, table } from './v2common.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */

const QUARTERS = '/v1/program/quarters';

/** @param {number} v */
const count = (v) => (Number.isInteger(v) ? String(v) : '');

/**
 * @param {HTMLElement} root
 * @param {ViewContext} ctx
 */
export function renderProgram(root, ctx) {
  const months = ctx.state.data.program;
  if (months === null) {
    mount(root, h('h1', {}, 'Program'), h('p', {}, 'Program totals are for analysts.'));
    return;
  }
  if (months.length === 0) {
    mount(
      root,
      h('h1', {}, 'Program'),
      h('p', { class: 'muted' }, 'No month yet: no channel is registered.'),
    );
    return;
  }
  const labels = months.map((m) => monthLabel(m.month, { short: true }));
  const latest = months[months.length - 1];
  const lastClosed = ctx.state.data.lastClosedMonth;
  /** @param {string} month */
  const isOpen = (month) => lastClosed === null || month > lastClosed;
  const provisional = months.map((m) => isOpen(m.month));

  const charts = [
    chart({
      key: 'program-net',
      type: 'bar',
      title: 'Total net',
      subtitle: 'all partners, and those selling online',
      categories: labels,
      provisional,
      axisFormat: compactMoney,
      series: [
        {
          name: 'Net, all partners',
          cls: 'c1',
          values: months.map((m) => Number(m.net)),
          format: (v) => money(v.toFixed(2)),
        },
        {
          name: 'Net, online partners',
          cls: 'c5',
          values: months.map((m) => Number(m.onlineNet)),
          format: (v) => money(v.toFixed(2)),
        },
      ],
    }),
    chart({
      key: 'program-online',
      type: 'line',
      title: 'Online share of net',
      subtitle: 'should rise',
      categories: labels,
      provisional,
      axisFormat: (v) => `${Math.round(v / 100)}%`,
      series: [
        {
          name: 'Online share',
          cls: 'c5',
          values: months.map((m) => m.onlineShareBps),
          format: (v) => percent(v, { sign: false }),
        },
      ],
    }),
    chart({
      key: 'program-partners',
      type: 'bar',
      title: 'Partners',
      subtitle: 'active (selling) and newly registered',
      categories: labels,
      provisional,
      axisFormat: count,
      series: [
        { name: 'Active partners', cls: 'c2', values: months.map((m) => m.activeChannels), format: String },
        { name: 'New partners', cls: 'c4', values: months.map((m) => m.newChannels), format: String },
      ],
    }),
    chart({
      key: 'program-trainings',
      type: 'bar',
      title: 'Trainings completed',
      categories: labels,
      provisional,
      axisFormat: count,
      series: [
        { name: 'Trainings', cls: 'c3', values: months.map((m) => m.trainingsCompleted), format: String },
      ],
    }),
    chart({
      key: 'program-satisfaction',
      type: 'line',
      title: 'Satisfaction',
      subtitle: 'average score (0–100)',
      categories: labels,
      provisional,
      axisFormat: (v) => String(Math.round(v)),
      series: [
        {
          name: 'Satisfaction',
          cls: 'c6',
          values: months.map((m) => (m.satisfactionAvg === null ? null : Number(m.satisfactionAvg))),
          format: (v) => v.toFixed(2),
        },
      ],
    }),
  ];

  mount(
    root,
    h('h1', {}, 'Program'),
    latest === undefined
      ? null
      : h(
          'dl',
          { class: 'cards' },
          kpi(`Net ${monthLabel(latest.month)}${isOpen(latest.month) ? ' (open)' : ''}`, money(latest.net)),
          kpi('Online share', percent(latest.onlineShareBps, { sign: false })),
          kpi('Active partners', String(latest.activeChannels)),
          kpi('New partners', String(latest.newChannels)),
          kpi('Trainings', String(latest.trainingsCompleted)),
          kpi('Satisfaction', latest.satisfactionAvg ?? '—'),
        ),
    h('div', { class: 'charts three' }, charts, quartersChart(ctx)),
    quartersSection(ctx),
    h(
      'section',
      { 'aria-labelledby': 'program-table-title' },
      h('h2', { id: 'program-table-title' }, 'Per month'),
      exportButtons('/v1/program/months'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data', id: 'program-table' },
          h('caption', { class: 'sr-only' }, 'Program totals per month'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Month'),
              [
                'Net',
                'Online net',
                'Online share',
                'Active partners',
                'New partners',
                'Trainings',
                'Satisfaction',
              ].map((t) => h('th', { scope: 'col', class: 'num' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            months.map((m) =>
              h(
                'tr',
                { 'data-month': m.month },
                h(
                  'th',
                  { scope: 'row' },
                  monthLabel(m.month),
                  isOpen(m.month) ? h('small', { class: 'tag' }, ' open') : null,
                ),
                h('td', { class: 'num' }, money(m.net)),
                h('td', { class: 'num' }, money(m.onlineNet)),
                h('td', { class: 'num' }, percent(m.onlineShareBps, { sign: false })),
                h('td', { class: 'num' }, String(m.activeChannels)),
                h('td', { class: 'num' }, String(m.newChannels)),
                h('td', { class: 'num' }, String(m.trainingsCompleted)),
                h('td', { class: 'num' }, m.satisfactionAvg ?? '—'),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * @param {string} label
 * @param {string} value
 */
function kpi(label, value) {
  return h('div', { class: 'card' }, h('dt', {}, label), h('dd', {}, value));
}

/** @typedef {{ quarters: import('../types.js').ProgramQuarterReport[] }} Quarters */

/**
 * (v2) The sixth chart: satisfaction and survey coverage per quarter, both on 0–100.
 * @param {ViewContext} ctx
 * @returns {HTMLElement | null}
 */
function quartersChart(ctx) {
  /** @type {Quarters | Error | undefined} */
  const found = ctx.read(QUARTERS);
  if (found === undefined || found instanceof Error || found.quarters.length === 0) return null;
  const q = found.quarters;
  return chart({
    key: 'program-quarters',
    type: 'bar',
    title: 'Survey quarters',
    subtitle: 'average score · partners surveyed %',
    categories: q.map((x) => x.quarter),
    axisFormat: (v) => String(Math.round(v)),
    series: [
      {
        name: 'Average score',
        cls: 'c6',
        values: q.map((x) => (x.satisfactionAvg === null ? null : Number(x.satisfactionAvg))),
        format: (v) => v.toFixed(2),
      },
      {
        name: 'Coverage %',
        cls: 'c5',
        values: q.map((x) => (x.surveyCoverageBps === null ? null : x.surveyCoverageBps / 100)),
        format: (v) => `${v.toFixed(2)}%`,
      },
    ],
  });
}

/**
 * (v2) Satisfaction per quarter: the partners of the quarter, how many were surveyed (the
 * coverage) and the respondent-weighted average score.
 * @param {ViewContext} ctx
 * @returns {HTMLElement | null}
 */
function quartersSection(ctx) {
  return onDemandSection(ctx, {
    id: 'program-quarters',
    title: 'Satisfaction per quarter',
    what: 'the program’s quarters',
    path: QUARTERS,
    /** @param {Quarters} found */
    isEmpty: (found) => found.quarters.length === 0,
    /** @param {Quarters} found */
    body: (found) =>
      table(
        { id: 'program-quarters-table', caption: 'Satisfaction and survey coverage per quarter' },
        [
          ['Quarter', false],
          ['Partners', true],
          ['Surveyed', true],
          ['Coverage', true],
          ['Average score', true],
        ],
        found.quarters.map((q) =>
          h(
            'tr',
            { 'data-quarter': q.quarter },
            h('th', { scope: 'row' }, q.quarter),
            numCell('channels', q.channels, String(q.channels)),
            numCell('surveyedChannels', q.surveyedChannels, String(q.surveyedChannels)),
            numCell('surveyCoverageBps', q.surveyCoverageBps, percent(q.surveyCoverageBps, { sign: false })),
            numCell('satisfactionAvg', q.satisfactionAvg, q.satisfactionAvg ?? 'no survey'),
          ),
        ),
      ),
  });
}
