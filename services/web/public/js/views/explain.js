// @ts-check
/**
 * The "explain" panel of a figure: the rule, the reported figure beside the one recomputed
 * from the log, and the events behind it with what each contributes — enough to reconcile a
 * rebate to the cent (Σ contribution = unrounded; rounded once, half away from zero).
 */
import { plural, t } from '../i18n.js';
import { apiText } from '../apiText.js';
import { h } from '../dom.js';
import { exportButtons } from '../exports.js';
import { money, monthLabel, percent, statusLabel, tierName } from '../format.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').Explanation} Explanation */
/** @typedef {import('../types.js').MoneyEvent} MoneyEvent */
/** @typedef {import('../types.js').Contribution} Contribution */
/** @typedef {import('../types.js').Component} Component */
/** @typedef {import('../state.js').ExplainField} ExplainField */

/** @type {Readonly<Record<ExplainField, string>>} */
export const FIELD_LABEL = {
  sales: t('Sales'),
  returns: t('Returns'),
  net: t('Net'),
  growth: t('Growth'),
  base: t('Base rebate'),
  growthBonus: t('Growth bonus'),
  promotion: t('Promotion rebate'),
  volume: t('Volume rebate'),
  total: t('Rebate total'),
};

/**
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @returns {HTMLElement}
 */
export function renderExplain(ctx, channelId) {
  const open = ctx.state.ui.explain;
  if (open === null || open.channelId !== channelId) {
    return h('section', { id: 'explain', class: 'explain', 'aria-live': 'polite', hidden: true });
  }
  const found = ctx.state.ui.explanations.get(`${open.channelId}/${open.month}`);
  /** @type {import('../dom.js').Child} */
  let body;
  if (found === undefined) body = h('p', { class: 'loading', role: 'status' }, t('Reading the events…'));
  else if (found instanceof Error)
    body = h(
      'p',
      { class: 'error', role: 'alert' },
      t('Could not explain: {error}', { error: found.message }),
    );
  else body = explainField(ctx, found, open.field);
  return h(
    'section',
    {
      id: 'explain',
      class: 'explain',
      'aria-live': 'polite',
      'aria-labelledby': 'explain-title',
      'data-field': open.field,
      'data-month': open.month,
    },
    h(
      'header',
      {},
      h(
        'h2',
        { id: 'explain-title' },
        t('Explain: {field} · {month}', { field: FIELD_LABEL[open.field], month: monthLabel(open.month) }),
      ),
      exportButtons(`/v1/channels/${encodeURIComponent(channelId)}/months/${open.month}/explain`),
      h(
        'button',
        { type: 'button', class: 'close', 'data-focus': 'explain:close', onclick: () => ctx.closeExplain() },
        t('Close'),
      ),
    ),
    found !== undefined && !(found instanceof Error) && !found.consistent
      ? h(
          'p',
          { class: 'error', role: 'alert' },
          t('Warning: figures recomputed from the log differ from the reported ones.'),
        )
      : null,
    body,
  );
}

/**
 * A figure that is a plain sum of the month's events (sales, returns).
 * @param {Explanation['sales']} sum
 * @param {string} title
 * @returns {import('../dom.js').Child}
 */
function sumField(sum, title) {
  return [
    facts([
      [t('Figure'), money(sum.figure)],
      [t('Recomputed'), money(sum.computed)],
    ]),
    rule(sum.rule),
    moneyEvents(sum.events, title),
  ];
}

/**
 * @param {ViewContext} ctx
 * @param {Explanation} x
 * @param {ExplainField} field
 * @returns {import('../dom.js').Child}
 */
function explainField(ctx, x, field) {
  switch (field) {
    case 'sales':
      return sumField(x.sales, t('Sales of the month'));
    case 'returns':
      return sumField(x.returns, t('Returns of the month'));
    case 'net':
      return [
        facts([
          [t('Figure'), money(x.net.figure)],
          [t('Recomputed'), money(x.net.computed)],
          [t('Sales − returns'), `${money(x.sales.figure)} − ${money(x.returns.figure)}`],
        ]),
        moneyEvents(x.sales.events, t('Sales')),
        moneyEvents(x.returns.events, t('Returns')),
      ];
    case 'growth': {
      const g = x.growth;
      return [
        facts([
          [t('Figure'), `${percent(g.figure.growthBps)} · ${statusLabel(g.figure.growthStatus)}`],
          [t('Recomputed'), `${percent(g.computed.growthBps)} · ${statusLabel(g.computed.growthStatus)}`],
          [t('Net of the month'), money(g.net)],
          [t('Net of {month}', { month: monthLabel(g.previous.month) }), money(g.previous.net)],
          [t('Target'), percent(g.targetBps)],
          [t('Month'), g.closed ? t('closed') : t('open (provisional)')],
        ]),
        rule(g.rule),
        moneyEvents(
          g.previous.events,
          t('Events of {month} (the baseline)', { month: monthLabel(g.previous.month) }),
        ),
      ];
    }
    case 'base':
    case 'growthBonus':
    case 'promotion':
    case 'volume':
      return component(x.rebate[field], field);
    case 'total': {
      const r = x.rebate;
      /** @type {['base' | 'growthBonus' | 'promotion' | 'volume', Component][]} */
      const parts = [
        ['base', r.base],
        ['growthBonus', r.growthBonus],
        ['promotion', r.promotion],
        ['volume', r.volume],
      ];
      return [
        facts([
          [t('Figure'), money(r.total.figure)],
          [t('Recomputed'), money(r.total.computed)],
        ]),
        rule(r.total.rule),
        h(
          'table',
          { class: 'data compact' },
          h('caption', {}, t('Components (select one for its events)')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('Component')),
              h('th', { scope: 'col', class: 'num' }, t('Unrounded')),
              h('th', { scope: 'col', class: 'num' }, t('Figure')),
              h('th', { scope: 'col' }, t('Why')),
            ),
          ),
          h(
            'tbody',
            {},
            parts.map(([name, c]) =>
              h(
                'tr',
                { 'data-component': name },
                h(
                  'th',
                  { scope: 'row' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link',
                      'data-focus': `explain:${name}`,
                      onclick: () => ctx.explain(x.channelId, x.month, name),
                    },
                    FIELD_LABEL[name],
                  ),
                ),
                h('td', { class: 'num mono' }, c.unrounded),
                h('td', { class: 'num' }, money(c.figure)),
                h(
                  'td',
                  {},
                  c.applies
                    ? plural(c.events.length, '{n} event', '{n} events')
                    : apiText(c.reason ?? t('does not apply')),
                ),
              ),
            ),
          ),
          h(
            'tfoot',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, t('Total')),
              h('td', {}),
              h('td', { class: 'num', 'data-value': r.total.figure }, h('strong', {}, money(r.total.figure))),
              h('td', {}),
            ),
          ),
        ),
      ];
    }
    default: {
      /** @type {never} */
      const never = field;
      return String(never);
    }
  }
}

/**
 * @param {Component} c
 * @param {'base' | 'growthBonus' | 'promotion' | 'volume'} field
 * @returns {import('../dom.js').Child}
 */
function component(c, field) {
  /** @type {[string, import('../dom.js').Child][]} */
  const rows = [
    [t('Figure'), money(c.figure)],
    [t('Recomputed'), money(c.computed)],
    [t('Unrounded Σ'), h('span', { class: 'mono' }, c.unrounded)],
  ];
  if (field === 'base')
    rows.push([
      t('Tier in effect'),
      `${c.tier === null || c.tier === undefined ? t('none') : tierName(c.tier)} · ${c.bps ?? 0} bps`,
    ]);
  if (field === 'growthBonus' || field === 'volume') rows.push([t('Rate applied'), `${c.bps ?? 0} bps`]);
  if (!c.applies) rows.push([t('Does not apply'), apiText(c.reason ?? '')]);
  const q = c.quarter;
  return [
    facts(rows),
    rule(c.rule),
    q === null || q === undefined
      ? null
      : h(
          'p',
          { class: 'quarter' },
          t('Quarter: {sum} = {net}; band: ', {
            sum: q.months.map((m) => `${monthLabel(m.month)} ${money(m.net)}`).join(' + '),
            net: money(q.quarterNet),
          }),
          q.band === null
            ? t('none reached')
            : t('from {min} at {bps} bps', { min: money(q.band.minQuarterNet), bps: q.band.rateBps }),
        ),
    contributions(c.events, field === 'promotion'),
  ];
}

/** @param {string} text */
function rule(text) {
  return h('p', { class: 'rule' }, h('span', { class: 'label' }, t('Rule: ')), apiText(text));
}

/** @param {[string, import('../dom.js').Child][]} rows */
function facts(rows) {
  return h(
    'dl',
    { class: 'facts-list' },
    rows.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
}

/**
 * @param {MoneyEvent[]} events
 * @param {string} caption
 */
function moneyEvents(events, caption) {
  if (events.length === 0) return h('p', { class: 'muted' }, t('{caption}: no events.', { caption }));
  return h(
    'table',
    { class: 'data compact events' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [t('Event'), t('Type'), t('Occurred at'), t('Order'), 'SKU'].map((label) =>
          h('th', { scope: 'col' }, label),
        ),
        h('th', { scope: 'col', class: 'num' }, t('Qty')),
        h('th', { scope: 'col', class: 'num' }, t('Amount')),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          { 'data-event': e.eventId },
          h('td', { class: 'mono', translate: 'no' }, e.eventId),
          h('td', {}, t(e.type)),
          h('td', { class: 'mono' }, e.occurredAt),
          h('td', { translate: 'no' }, e.orderId),
          h('td', { translate: 'no' }, e.sku),
          h('td', { class: 'num' }, String(e.quantity)),
          h('td', { class: 'num' }, money(e.amount)),
        ),
      ),
    ),
  );
}

/**
 * @param {Contribution[]} events
 * @param {boolean} promotions   show the promotions / original sale of each event
 */
function contributions(events, promotions) {
  if (events.length === 0) return h('p', { class: 'muted' }, t('No event contributes.'));
  return h(
    'table',
    { class: 'data compact events' },
    h('caption', {}, t('Events and their contributions (amount × bps / 10000)')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('Event')),
        h('th', { scope: 'col' }, t('Type')),
        h('th', { scope: 'col' }, t('Month')),
        h('th', { scope: 'col', class: 'num' }, t('Amount')),
        h('th', { scope: 'col', class: 'num' }, 'bps'),
        h('th', { scope: 'col', class: 'num' }, t('Contribution')),
        promotions ? h('th', { scope: 'col' }, t('Because of')) : null,
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          { 'data-event': e.eventId },
          h('td', { class: 'mono', translate: 'no' }, e.eventId),
          h('td', {}, t(e.type)),
          h('td', {}, monthLabel(e.month)),
          h('td', { class: 'num' }, money(e.amount)),
          h('td', { class: 'num' }, String(e.bps)),
          h('td', { class: 'num mono' }, e.contribution),
          promotions
            ? h(
                'td',
                {},
                e.type === 'SaleReturned'
                  ? e.originalSale === null || e.originalSale === undefined
                    ? t('no original sale')
                    : t('original sale {id} ({bps} bps)', {
                        id: e.originalSale.eventId,
                        bps: e.originalSale.bps,
                      })
                  : (e.promotions ?? []).map((p) => `${p.promotionId} (${p.bonusBps} bps)`).join(', ') ||
                      t('no promotion'),
              )
            : null,
        ),
      ),
    ),
  );
}
