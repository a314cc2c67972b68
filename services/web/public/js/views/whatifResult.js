// @ts-check
/**
 * What a what-if run answered (POST /v1/whatif), drawn: the rebates of all partners as
 * logged and as proposed with the difference, per quarter as a chart and per month as a
 * chart of the deltas, each partner's totals and growth-bonus delta in a table, the tiers
 * after review that move, and the alerts the proposal would raise or not. Cells carry the
 * API's raw figure in `data-value`, which the page test compares with the API's answer.
 */
import { chart } from '../charts.js';
import { h } from '../dom.js';
import { compactMoney, money, monthLabel, quarterLabel, tierName } from '../format.js';
import { t } from '../i18n.js';
import { describeAlert } from './alerts.js';
import { numCell, partnerLink, table } from './v2common.js';

/** @typedef {{ base: string, growthBonus: string, promotion: string, volume: string, total: string }} Rebate */
/** @typedef {{ actual: Rebate, proposed: Rebate, delta: Rebate }} Compared */
/** @typedef {Compared & { period: string }} Period */
/**
 * @typedef {Compared & { channelId: string, name: string, quarters: Period[],
 *   reviews: { month: string, actual: string | null, proposed: string | null }[],
 *   growthChanges: { month: string }[] }} WhatIfChannel
 */
/**
 * @typedef {object} WhatIfResult
 * @property {number} position
 * @property {string} from
 * @property {string} programId
 * @property {WhatIfChannel[]} channels
 * @property {Compared & { months: Period[], quarters: Period[] }} total
 * @property {{ raised: import('../types.js').Alert[], notRaised: import('../types.js').Alert[] }} alerts
 */

/** A delta with its sign: "+¥1,200.00", "−¥80.00", "¥0.00". @param {string} amount */
const signed = (amount) =>
  /^[0.]+$/.test(amount) || amount.startsWith('-') ? money(amount) : `+${money(amount)}`;

/**
 * @param {string} label
 * @param {string} value
 * @param {string} field
 * @param {string} raw
 */
function card(label, value, field, raw) {
  return h(
    'div',
    { class: 'card' },
    h('dt', {}, label),
    h('dd', { 'data-field': field, 'data-value': raw }, value),
  );
}

/** @param {WhatIfResult} r */
function charts(r) {
  const quarters = r.total.quarters;
  const months = r.total.months;
  return h(
    'div',
    { class: 'charts' },
    chart({
      key: 'whatif-quarters',
      type: 'bar',
      title: t('Rebates per quarter'),
      subtitle: t('as logged, and under the proposal'),
      categories: quarters.map((q) => quarterLabel(q.period)),
      axisFormat: compactMoney,
      series: [
        {
          name: t('As logged'),
          cls: 'c1',
          values: quarters.map((q) => Number(q.actual.total)),
          format: (v) => money(v.toFixed(2)),
        },
        {
          name: t('Proposed'),
          cls: 'c4',
          values: quarters.map((q) => Number(q.proposed.total)),
          format: (v) => money(v.toFixed(2)),
        },
      ],
    }),
    chart({
      key: 'whatif-delta',
      type: 'bar',
      title: t('Change in rebates per month'),
      subtitle: t('proposed minus as logged'),
      categories: months.map((m) => monthLabel(m.period)),
      axisFormat: compactMoney,
      series: [
        {
          name: t('Change'),
          cls: 'c2',
          values: months.map((m) => Number(m.delta.total)),
          format: (v) => signed(v.toFixed(2)),
        },
      ],
    }),
  );
}

/** @param {WhatIfResult} r */
function partnersTable(r) {
  const columns = /** @type {[string, boolean][]} */ ([
    [t('Partner'), false],
    [t('Rebates as logged'), true],
    [t('Rebates proposed'), true],
    [t('Change'), true],
    [t('Growth bonus change'), true],
    [t('Tier after review'), false],
  ]);
  const rows = r.channels.map((c) => {
    const moved = c.reviews.filter((v) => v.actual !== v.proposed);
    return h(
      'tr',
      { 'data-channel': c.channelId },
      h('th', { scope: 'row' }, partnerLink(c.channelId, c.name)),
      numCell('actual', c.actual.total, money(c.actual.total)),
      numCell('proposed', c.proposed.total, money(c.proposed.total)),
      numCell('delta', c.delta.total, signed(c.delta.total)),
      numCell('growthBonus', c.delta.growthBonus, signed(c.delta.growthBonus)),
      h(
        'td',
        {},
        moved.length === 0
          ? t('unchanged')
          : moved.map((v) =>
              h(
                'div',
                {},
                `${monthLabel(v.month)}: `,
                h(
                  'span',
                  { translate: 'no' },
                  `${tierName(v.actual ?? '—')} → ${tierName(v.proposed ?? '—')}`,
                ),
              ),
            ),
      ),
    );
  });
  return table({ id: 'whatif-partners', caption: t('Rebates per partner'), cls: 'compact' }, columns, rows);
}

/** @param {WhatIfResult} r */
function quartersTable(r) {
  const columns = /** @type {[string, boolean][]} */ ([
    [t('Quarter'), false],
    [t('Rebates as logged'), true],
    [t('Rebates proposed'), true],
    [t('Change'), true],
  ]);
  const rows = r.total.quarters.map((q) =>
    h(
      'tr',
      { 'data-quarter': q.period },
      h('th', { scope: 'row' }, quarterLabel(q.period)),
      numCell('actual', q.actual.total, money(q.actual.total)),
      numCell('proposed', q.proposed.total, money(q.proposed.total)),
      numCell('delta', q.delta.total, signed(q.delta.total)),
    ),
  );
  return table({ id: 'whatif-quarters', caption: t('Rebates of all partners per quarter') }, columns, rows);
}

/** Alerts listed per kind of change; beyond, a count. */
const ALERTS_SHOWN = 30;

/**
 * @param {import('../types.js').Alert[]} alerts
 * @param {'raised' | 'not-raised'} change
 */
function alertItems(alerts, change) {
  const sentence = change === 'raised' ? 'Would be raised: {alert}' : 'Would not be raised: {alert}';
  const items = alerts
    .slice(0, ALERTS_SHOWN)
    .map((a) =>
      h('li', { 'data-change': change, 'data-alert': a.id }, t(sentence, { alert: describeAlert(a) })),
    );
  if (alerts.length > ALERTS_SHOWN)
    items.push(h('li', { class: 'muted' }, t('…and {n} more', { n: alerts.length - ALERTS_SHOWN })));
  return items;
}

/** @param {WhatIfResult} r */
function alertsList(r) {
  const { raised, notRaised } = r.alerts;
  if (raised.length + notRaised.length === 0) return h('p', { class: 'muted' }, t('No alert changes.'));
  return h(
    'div',
    { id: 'whatif-alerts' },
    h(
      'p',
      {},
      t('{raised} alerts would be raised that were not, {notRaised} would not be raised that were.', {
        raised: raised.length,
        notRaised: notRaised.length,
      }),
    ),
    h('ul', {}, alertItems(raised, 'raised'), alertItems(notRaised, 'not-raised')),
  );
}

/** @param {WhatIfResult} r */
export function whatIfResult(r) {
  const growthChanges = r.channels.reduce((n, c) => n + c.growthChanges.length, 0);
  const tierMoves = r.channels.filter((c) => c.reviews.some((v) => v.actual !== v.proposed)).length;
  return h(
    'section',
    { id: 'whatif-result', 'aria-labelledby': 'whatif-result-title' },
    h(
      'h2',
      { id: 'whatif-result-title' },
      t('Under the proposal, from {month}', { month: monthLabel(r.from) }),
    ),
    h(
      'dl',
      { class: 'cards' },
      card(t('Rebates as logged'), money(r.total.actual.total), 'actual', r.total.actual.total),
      card(t('Rebates proposed'), money(r.total.proposed.total), 'proposed', r.total.proposed.total),
      card(t('Change'), signed(r.total.delta.total), 'delta', r.total.delta.total),
      card(t('Partners whose tier moves'), String(tierMoves), 'tierMoves', String(tierMoves)),
      card(t('Growth statuses that change'), String(growthChanges), 'growthChanges', String(growthChanges)),
    ),
    charts(r),
    h('h3', {}, t('Rebates of all partners per quarter')),
    quartersTable(r),
    h('h3', {}, t('Rebates per partner')),
    partnersTable(r),
    h('h3', {}, t('Alerts')),
    alertsList(r),
  );
}
