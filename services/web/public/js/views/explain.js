// @ts-check
/**
 * The "explain" panel of a figure: the rule, the reported figure beside the one recomputed
 * from the log, and the events behind it with what each contributes — enough to reconcile a
 * rebate to the cent (Σ contribution = unrounded; rounded once, half away from zero).
 */
import { h } from '../dom.js';
import { exportButtons } from '../exports.js';
import { money, monthLabel, percent, STATUS_LABEL } from '../format.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').Explanation} Explanation */
/** @typedef {import('../types.js').MoneyEvent} MoneyEvent */
/** @typedef {import('../types.js').Contribution} Contribution */
/** @typedef {import('../types.js').Component} Component */
/** @typedef {import('../state.js').ExplainField} ExplainField */

/** @type {Readonly<Record<ExplainField, string>>} */
export const FIELD_LABEL = {
  sales: 'Sales',
  returns: 'Returns',
  net: 'Net',
  growth: 'Growth',
  base: 'Base rebate',
  growthBonus: 'Growth bonus',
  promotion: 'Promotion rebate',
  volume: 'Volume rebate',
  total: 'Rebate total',
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
  if (found === undefined) body = h('p', { class: 'loading', role: 'status' }, 'Reading the events…');
  else if (found instanceof Error)
    body = h('p', { class: 'error', role: 'alert' }, `Could not explain: ${found.message}`);
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
      h('h2', { id: 'explain-title' }, `Explain: ${FIELD_LABEL[open.field]} · ${monthLabel(open.month)}`),
      exportButtons(`/v1/channels/${encodeURIComponent(channelId)}/months/${open.month}/explain`),
      h(
        'button',
        { type: 'button', class: 'close', 'data-focus': 'explain:close', onclick: () => ctx.closeExplain() },
        'Close',
      ),
    ),
    found !== undefined && !(found instanceof Error) && !found.consistent
      ? h(
          'p',
          { class: 'error', role: 'alert' },
          'Warning: figures recomputed from the log differ from the reported ones.',
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
      ['Figure', money(sum.figure)],
      ['Recomputed', money(sum.computed)],
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
      return sumField(x.sales, 'Sales of the month');
    case 'returns':
      return sumField(x.returns, 'Returns of the month');
    case 'net':
      return [
        facts([
          ['Figure', money(x.net.figure)],
          ['Recomputed', money(x.net.computed)],
          ['Sales − returns', `${money(x.sales.figure)} − ${money(x.returns.figure)}`],
        ]),
        moneyEvents(x.sales.events, 'Sales'),
        moneyEvents(x.returns.events, 'Returns'),
      ];
    case 'growth': {
      const g = x.growth;
      return [
        facts([
          ['Figure', `${percent(g.figure.growthBps)} · ${STATUS_LABEL[g.figure.growthStatus]}`],
          ['Recomputed', `${percent(g.computed.growthBps)} · ${STATUS_LABEL[g.computed.growthStatus]}`],
          ['Net of the month', money(g.net)],
          [`Net of ${monthLabel(g.previous.month)}`, money(g.previous.net)],
          ['Target', percent(g.targetBps)],
          ['Month', g.closed ? 'closed' : 'open (provisional)'],
        ]),
        rule(g.rule),
        moneyEvents(g.previous.events, `Events of ${monthLabel(g.previous.month)} (the baseline)`),
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
          ['Figure', money(r.total.figure)],
          ['Recomputed', money(r.total.computed)],
        ]),
        rule(r.total.rule),
        h(
          'table',
          { class: 'data compact' },
          h('caption', {}, 'Components (select one for its events)'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Component'),
              h('th', { scope: 'col', class: 'num' }, 'Unrounded'),
              h('th', { scope: 'col', class: 'num' }, 'Figure'),
              h('th', { scope: 'col' }, 'Why'),
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
                    ? `${c.events.length} event${c.events.length === 1 ? '' : 's'}`
                    : (c.reason ?? 'does not apply'),
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
              h('th', { scope: 'row' }, 'Total'),
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
    ['Figure', money(c.figure)],
    ['Recomputed', money(c.computed)],
    ['Unrounded Σ', h('span', { class: 'mono' }, c.unrounded)],
  ];
  if (field === 'base') rows.push(['Tier in effect', `${c.tier ?? 'none'} · ${c.bps ?? 0} bps`]);
  if (field === 'growthBonus' || field === 'volume') rows.push(['Rate applied', `${c.bps ?? 0} bps`]);
  if (!c.applies) rows.push(['Does not apply', c.reason ?? '']);
  const q = c.quarter;
  return [
    facts(rows),
    rule(c.rule),
    q === null || q === undefined
      ? null
      : h(
          'p',
          { class: 'quarter' },
          `Quarter: ${q.months.map((m) => `${monthLabel(m.month, { short: true })} ${money(m.net)}`).join(' + ')} = ${money(q.quarterNet)}; band: `,
          q.band === null ? 'none reached' : `from ${money(q.band.minQuarterNet)} at ${q.band.rateBps} bps`,
        ),
    contributions(c.events, field === 'promotion'),
  ];
}

/** @param {string} text */
function rule(text) {
  return h('p', { class: 'rule' }, h('span', { class: 'label' }, 'Rule: '), text);
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
  if (events.length === 0) return h('p', { class: 'muted' }, `${caption}: no events.`);
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
        ['Event', 'Type', 'Occurred at', 'Order', 'SKU'].map((t) => h('th', { scope: 'col' }, t)),
        h('th', { scope: 'col', class: 'num' }, 'Qty'),
        h('th', { scope: 'col', class: 'num' }, 'Amount'),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          { 'data-event': e.eventId },
          h('td', { class: 'mono' }, e.eventId),
          h('td', {}, e.type),
          h('td', { class: 'mono' }, e.occurredAt),
          h('td', {}, e.orderId),
          h('td', {}, e.sku),
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
  if (events.length === 0) return h('p', { class: 'muted' }, 'No event contributes.');
  return h(
    'table',
    { class: 'data compact events' },
    h('caption', {}, 'Events and their contributions (amount × bps / 10000)'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Event'),
        h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col' }, 'Month'),
        h('th', { scope: 'col', class: 'num' }, 'Amount'),
        h('th', { scope: 'col', class: 'num' }, 'bps'),
        h('th', { scope: 'col', class: 'num' }, 'Contribution'),
        promotions ? h('th', { scope: 'col' }, 'Because of') : null,
      ),
    ),
    h(
      'tbody',
      {},
      events.map((e) =>
        h(
          'tr',
          { 'data-event': e.eventId },
          h('td', { class: 'mono' }, e.eventId),
          h('td', {}, e.type),
          h('td', {}, e.month),
          h('td', { class: 'num' }, money(e.amount)),
          h('td', { class: 'num' }, String(e.bps)),
          h('td', { class: 'num mono' }, e.contribution),
          promotions
            ? h(
                'td',
                {},
                e.type === 'SaleReturned'
                  ? e.originalSale === null || e.originalSale === undefined
                    ? 'no original sale'
                    : `original sale ${e.originalSale.eventId} (${e.originalSale.bps} bps)`
                  : (e.promotions ?? []).map((p) => `${p.promotionId} (${p.bonusBps} bps)`).join(', ') ||
                      'no promotion',
              )
            : null,
        ),
      ),
    ),
  );
}
