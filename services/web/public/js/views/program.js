// @ts-check
/**
 * The program view: the plan's KPIs per month (spec §6) — total and online net, the online
 * share, active and new partners, trainings completed, satisfaction — as charts, with the
 * same figures in a table — and (v2) satisfaction per quarter with the survey coverage
 * (GET /v1/program/quarters), left out on a v1 log.
 */
import { t } from '../i18n.js';
import { chart } from '../charts.js';
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import { compactMoney, money, monthLabel, percent, quarterLabel } from '../format.js';
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
    mount(root, h('h1', {}, t('Program')), h('p', {}, t('Program totals are for analysts.')));
    return;
  }
  if (months.length === 0) {
    mount(
      root,
      h('h1', {}, t('Program')),
      h('p', { class: 'muted' }, t('No month yet: no channel is registered.')),
    );
    return;
  }
  const labels = months.map((m) => monthLabel(m.month));
  const latest = months[months.length - 1];
  const lastClosed = ctx.state.data.lastClosedMonth;
  /** @param {string} month */
  const isOpen = (month) => lastClosed === null || month > lastClosed;
  const provisional = months.map((m) => isOpen(m.month));

  const charts = [
    chart({
      key: 'program-net',
      type: 'bar',
      title: t('Total net'),
      subtitle: t('all partners, and those selling online'),
      categories: labels,
      provisional,
      axisFormat: compactMoney,
      series: [
        {
          name: t('Net, all partners'),
          cls: 'c1',
          values: months.map((m) => Number(m.net)),
          format: (v) => money(v.toFixed(2)),
        },
        {
          name: t('Net, online partners'),
          cls: 'c5',
          values: months.map((m) => Number(m.onlineNet)),
          format: (v) => money(v.toFixed(2)),
        },
      ],
    }),
    chart({
      key: 'program-online',
      type: 'line',
      title: t('Online share of net'),
      subtitle: t('should rise'),
      categories: labels,
      provisional,
      axisFormat: (v) => `${Math.round(v / 100)}%`,
      series: [
        {
          name: t('Online share'),
          cls: 'c5',
          values: months.map((m) => m.onlineShareBps),
          format: (v) => percent(v, { sign: false }),
        },
      ],
    }),
    chart({
      key: 'program-partners',
      type: 'bar',
      title: t('Partners'),
      subtitle: t('active (selling) and newly registered'),
      categories: labels,
      provisional,
      axisFormat: count,
      series: [
        {
          name: t('Active partners'),
          cls: 'c2',
          values: months.map((m) => m.activeChannels),
          format: String,
        },
        { name: t('New partners'), cls: 'c4', values: months.map((m) => m.newChannels), format: String },
      ],
    }),
    chart({
      key: 'program-trainings',
      type: 'bar',
      title: t('Trainings completed'),
      categories: labels,
      provisional,
      axisFormat: count,
      series: [
        { name: t('Trainings'), cls: 'c3', values: months.map((m) => m.trainingsCompleted), format: String },
      ],
    }),
    chart({
      key: 'program-satisfaction',
      type: 'line',
      title: t('Satisfaction'),
      subtitle: t('average score (0–100)'),
      categories: labels,
      provisional,
      axisFormat: (v) => String(Math.round(v)),
      series: [
        {
          name: t('Satisfaction'),
          cls: 'c6',
          values: months.map((m) => (m.satisfactionAvg === null ? null : Number(m.satisfactionAvg))),
          format: (v) => v.toFixed(2),
        },
      ],
    }),
  ];

  mount(
    root,
    h('h1', {}, t('Program')),
    latest === undefined
      ? null
      : h(
          'dl',
          { class: 'cards' },
          kpi(
            t(isOpen(latest.month) ? 'Net {month} (provisional)' : 'Net {month}', {
              month: monthLabel(latest.month),
            }),
            compactMoney(Number(latest.net)),
            money(latest.net),
          ),
          kpi(t('Online share'), percent(latest.onlineShareBps, { sign: false })),
          kpi(t('Active partners'), String(latest.activeChannels)),
          kpi(t('New partners'), String(latest.newChannels)),
          kpi(t('Trainings'), String(latest.trainingsCompleted)),
          kpi(t('Satisfaction'), latest.satisfactionAvg ?? '—'),
        ),
    h('div', { class: 'charts three' }, charts, quartersChart(ctx)),
    quartersSection(ctx),
    h(
      'section',
      { 'aria-labelledby': 'program-table-title' },
      h('h2', { id: 'program-table-title' }, t('Per month')),
      exportButtons('/v1/program/months'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data', id: 'program-table' },
          h('caption', { class: 'sr-only' }, t('Program totals per month')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('Month')),
              [
                t('Net'),
                t('Online net'),
                t('Online share'),
                t('Active partners'),
                t('New partners'),
                t('Trainings'),
                t('Satisfaction'),
              ].map((label) => h('th', { scope: 'col', class: 'num' }, label)),
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
                  isOpen(m.month)
                    ? h(
                        'small',
                        { class: 'tag provisional-tag', title: t('open month: figures may still change') },
                        ' ',
                        t('provisional'),
                      )
                    : null,
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
 * @param {string} [exact]   the exact figure, when `value` is rounded (万 / M)
 */
function kpi(label, value, exact) {
  return h('div', { class: 'card' }, h('dt', {}, label), h('dd', { title: exact ?? null }, value));
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
    title: t('Survey quarters'),
    subtitle: t('average score · partners surveyed %'),
    categories: q.map((x) => quarterLabel(x.quarter)),
    axisFormat: (v) => String(Math.round(v)),
    series: [
      {
        name: t('Average score'),
        cls: 'c6',
        values: q.map((x) => (x.satisfactionAvg === null ? null : Number(x.satisfactionAvg))),
        format: (v) => v.toFixed(2),
      },
      {
        name: t('Coverage %'),
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
    title: t('Satisfaction per quarter'),
    what: t('the program’s quarters'),
    path: QUARTERS,
    /** @param {Quarters} found */
    isEmpty: (found) => found.quarters.length === 0,
    /** @param {Quarters} found */
    body: (found) =>
      table(
        { id: 'program-quarters-table', caption: t('Satisfaction and survey coverage per quarter') },
        [
          [t('Quarter'), false],
          [t('Partners'), true],
          [t('Surveyed'), true],
          [t('Coverage'), true],
          [t('Average score'), true],
        ],
        found.quarters.map((q) =>
          h(
            'tr',
            { 'data-quarter': q.quarter },
            h('th', { scope: 'row' }, quarterLabel(q.quarter)),
            numCell('channels', q.channels, String(q.channels)),
            numCell('surveyedChannels', q.surveyedChannels, String(q.surveyedChannels)),
            numCell('surveyCoverageBps', q.surveyCoverageBps, percent(q.surveyCoverageBps, { sign: false })),
            numCell('satisfactionAvg', q.satisfactionAvg, q.satisfactionAvg ?? t('no survey')),
          ),
        ),
      ),
  });
}
