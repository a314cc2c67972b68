// @ts-check
/**
 * (v2) The partner page's "Target & attainment" panel (GET /v1/channels/:id/targets): per
 * year the annual target, the year-to-date net and its attainment, the run-rate projection
 * of the year's net and the pace status, and the quarterly commitments — cumulative net
 * against cumulative target, each quarter's status — as a chart and a table.
 */
import { t } from '../i18n.js';
import { chart } from '../charts.js';
import { h } from '../dom.js';
import { compactMoney, money, percent, quarterLabel } from '../format.js';
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
    title: t('Target & attainment'),
    what: t('the targets'),
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

/** @param {TargetReport} target */
function targetYear(target) {
  const cards = h(
    'dl',
    { class: 'cards' },
    card(
      t('Annual target {year}', { year: target.year }),
      money(target.annualTarget),
      'annualTarget',
      target.annualTarget,
    ),
    card(t('Net, year to date'), money(target.ytdNet), 'ytdNet', target.ytdNet),
    card(
      t('Attainment'),
      percent(target.attainmentBps, { sign: false }),
      'attainmentBps',
      target.attainmentBps,
    ),
    card(
      t('Run-rate projection'),
      target.projectedNet === null ? t('no selling month closed') : money(target.projectedNet),
      'projectedNet',
      target.projectedNet,
    ),
    card(t('Pace'), paceBadge(target.status), 'status', target.status),
  );
  const hint = h(
    'p',
    { class: 'hint' },
    t(
      "Run-rate projection: the net of the year's closed months ({closed} closed, {selling} selling) plus its average per selling month for each month still open. Target set by event ",
      { closed: target.closedMonths, selling: target.sellingMonths },
    ),
    h('span', { class: 'mono', translate: 'no' }, target.targetEventId),
    t('.'),
  );
  const commitments = chart({
    key: `target-${target.year}`,
    type: 'bar',
    size: 'wide',
    title: t('Quarterly commitments {year}', { year: target.year }),
    subtitle: t('cumulative net against cumulative target'),
    categories: target.quarters.map((q) => `${q.quarter.slice(5)} · ${t(PACE_LABEL[q.status])}`),
    provisional: target.quarters.map((q) => q.status === 'OPEN'),
    axisFormat: compactMoney,
    series: [
      {
        name: t('Cumulative target'),
        cls: 'c4',
        values: target.quarters.map((q) => Number(q.cumulativeTarget)),
        format: (v) => money(v.toFixed(2)),
      },
      {
        name: t('Cumulative net'),
        cls: 'c1',
        values: target.quarters.map((q) => Number(q.cumulativeNet)),
        format: (v) => money(v.toFixed(2)),
      },
    ],
  });
  const quarters = table(
    {
      id: `target-quarters-${target.year}`,
      caption: t('Quarterly commitments {year}', { year: target.year }),
    },
    [
      [t('Quarter'), false],
      [t('Target'), true],
      [t('Net'), true],
      [t('Cumulative target'), true],
      [t('Cumulative net'), true],
      [t('Status'), false],
    ],
    target.quarters.map((q) =>
      h(
        'tr',
        { 'data-quarter': q.quarter },
        h('th', { scope: 'row' }, quarterLabel(q.quarter)),
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
    { class: 'target-year', 'data-year': target.year },
    cards,
    hint,
    h('div', { class: 'target-detail' }, commitments, quarters),
  );
}
