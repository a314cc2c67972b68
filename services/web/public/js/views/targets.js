// @ts-check
/**
 * (v2) The partner page's "Target & attainment" panel (GET /v1/channels/:id/targets): per
 * year the annual target, the year-to-date net and its attainment, the run-rate projection
 * of the year's net and the pace status, and the quarterly commitments — cumulative net
 * against cumulative target, each quarter's status — as a chart and a table.
 */
import { chart } from '../charts.js';
import { h } from '../dom.js';
import { compactMoney, money, percent } from '../format.js';
import { numCell, onDemandSection, PACE_LABEL, paceBadge, table } from './v2common.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').TargetReport} TargetReport */

/**
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @returns {HTMLElement | null}
 */
export function targetsPanel(ctx, channelId) {
  return onDemandSection(ctx, {
    id: 'targets',
    title: 'Target & attainment',
    what: 'the targets',
    path: `/v1/channels/${encodeURIComponent(channelId)}/targets`,
    /** @param {{ targets: TargetReport[] }} found */
    isEmpty: (found) => found.targets.length === 0,
    /** @param {{ targets: TargetReport[] }} found */
    body: (found) => found.targets.map(targetYear),
  });
}

/**
 * @param {string} label
 * @param {import('../dom.js').Child} value
 * @param {string} field
 * @param {string | number | null} raw
 */
function card(label, value, field, raw) {
  return h(
    'div',
    { class: 'card', 'data-field': field, 'data-value': raw === null ? '' : String(raw) },
    h('dt', {}, label),
    h('dd', {}, value),
  );
}

/** @param {TargetReport} t */
function targetYear(t) {
  const cards = h(
    'dl',
    { class: 'cards' },
    card(`Annual target ${t.year}`, money(t.annualTarget), 'annualTarget', t.annualTarget),
    card('Net, year to date', money(t.ytdNet), 'ytdNet', t.ytdNet),
    card('Attainment', percent(t.attainmentBps, { sign: false }), 'attainmentBps', t.attainmentBps),
    card(
      'Run-rate projection',
      t.projectedNet === null ? 'no selling month closed' : money(t.projectedNet),
      'projectedNet',
      t.projectedNet,
    ),
    card('Pace', paceBadge(t.status), 'status', t.status),
  );
  const hint = h(
    'p',
    { class: 'hint' },
    `Run-rate projection: the net of the year's closed months (${t.closedMonths} closed, ${t.sellingMonths} selling) `,
    'plus its average per selling month for each month still open. Target set by event ',
    h('span', { class: 'mono' }, t.targetEventId),
    '.',
  );
  const commitments = chart({
    key: `target-${t.year}`,
    type: 'bar',
    size: 'wide',
    title: `Quarterly commitments ${t.year}`,
    subtitle: 'cumulative net against cumulative target',
    categories: t.quarters.map((q) => `${q.quarter.slice(5)} · ${PACE_LABEL[q.status]}`),
    provisional: t.quarters.map((q) => q.status === 'OPEN'),
    axisFormat: compactMoney,
    series: [
      {
        name: 'Cumulative target',
        cls: 'c4',
        values: t.quarters.map((q) => Number(q.cumulativeTarget)),
        format: (v) => money(v.toFixed(2)),
      },
      {
        name: 'Cumulative net',
        cls: 'c1',
        values: t.quarters.map((q) => Number(q.cumulativeNet)),
        format: (v) => money(v.toFixed(2)),
      },
    ],
  });
  const quarters = table(
    { id: `target-quarters-${t.year}`, caption: `Quarterly commitments ${t.year}` },
    [
      ['Quarter', false],
      ['Target', true],
      ['Net', true],
      ['Cumulative target', true],
      ['Cumulative net', true],
      ['Status', false],
    ],
    t.quarters.map((q) =>
      h(
        'tr',
        { 'data-quarter': q.quarter },
        h('th', { scope: 'row' }, q.quarter),
        numCell('target', q.target, money(q.target)),
        numCell('net', q.net, money(q.net)),
        numCell('cumulativeTarget', q.cumulativeTarget, money(q.cumulativeTarget)),
        numCell('cumulativeNet', q.cumulativeNet, money(q.cumulativeNet)),
        h('td', {}, paceBadge(q.status)),
      ),
    ),
  );
  return h(
    'div',
    { class: 'target-year', 'data-year': t.year },
    cards,
    hint,
    h('div', { class: 'target-detail' }, commitments, quarters),
  );
}
