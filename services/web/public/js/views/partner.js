// @ts-check
/**
 * The partner page: who the partner is, its monthly net and growth against the target, its
 * rebate components per month, its tier history, its trainings and certified trainees
 * (GET …/trainings), (v2) its target and attainment, tree, price-protection claims and
 * satisfaction when it has any, and a month table in which every figure opens the events behind it
 * (GET …/months/:month/explain).
 */
import { ApiError } from '../api.js';
import { chart } from '../charts.js';
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import { compactMoney, money, monthLabel, percent } from '../format.js';
import { listItemOf } from '../channels.js';
import { renderExplain } from './explain.js';
import { claimsPanel, satisfactionPanel } from './partnerV2.js';
import { statusBadge, tierBadge } from './partners.js';
import { targetsPanel } from './targets.js';
import { rollupPanel } from './trees.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').MonthReport} MonthReport */
/** @typedef {import('../state.js').ExplainField} ExplainField */
/** @typedef {import('../types.js').Trainings} Trainings */

/** @type {[keyof import('../types.js').Rebate, string, string][]} */
const COMPONENTS = [
  ['base', 'Base', 'c1'],
  ['growthBonus', 'Growth bonus', 'c2'],
  ['promotion', 'Promotion', 'c3'],
  ['volume', 'Volume', 'c4'],
];

/**
 * @param {HTMLElement} root
 * @param {ViewContext} ctx
 * @param {string} channelId
 */
export function renderPartner(root, ctx, channelId) {
  const { state } = ctx;
  const detail = state.data.details.get(channelId);
  const partnerMode = state.session?.role === 'partner';
  if (detail === undefined) {
    mount(
      root,
      h('h1', {}, 'Partner not found'),
      h('p', {}, `No channel ${channelId} is registered.`),
      partnerMode ? null : h('p', {}, h('a', { href: '#/partners' }, '← All partners')),
    );
    return;
  }
  const item = listItemOf(detail);
  const months = detail.months;
  const labels = months.map((m) => monthLabel(m.month, { short: true }));
  const provisional = months.map((m) => !m.closed);
  const latest = months[months.length - 1];
  const open = latest !== undefined && !latest.closed ? latest : undefined;
  const targets = [...new Set(months.map((m) => m.targetBps))];

  const cards = h(
    'dl',
    { class: 'cards' },
    card('Tier now', tierBadge(detail.tier)),
    card('Last closed month', item.lastClosedMonth === null ? 'none yet' : monthLabel(item.lastClosedMonth)),
    card('Net, last closed month', money(item.lastClosedNet)),
    card(
      'Growth vs target',
      h(
        'span',
        {},
        percent(item.lastClosedGrowthBps),
        ' ',
        statusBadge(item.lastClosedGrowthStatus ?? 'OPEN'),
      ),
    ),
    card(`Rebate accrued ${item.quarter ?? ''}`, money(item.quarterRebateAccrued)),
    open === undefined
      ? null
      : card(
          `Open month ${monthLabel(open.month, { short: true })}`,
          h('span', { class: 'provisional' }, `${money(open.net)} · ${percent(open.growthBps)}`),
        ),
  );

  const netChart = chart({
    key: 'net',
    type: 'bar',
    title: 'Monthly net',
    subtitle: 'sales − returns',
    categories: labels,
    provisional,
    axisFormat: compactMoney,
    series: [
      {
        name: 'Net',
        cls: 'c1',
        values: months.map((m) => Number(m.net)),
        format: (v) => money(v.toFixed(2)),
      },
    ],
  });
  const growthChart = chart({
    key: 'growth',
    type: 'line',
    title: 'Growth vs previous month',
    subtitle: `target ${targets.map((t) => percent(t)).join(', ')}`,
    categories: labels,
    provisional,
    axisFormat: (v) => `${Math.round(v / 100)}%`,
    refLines: targets.map((t) => ({ value: t, label: `target ${percent(t)}` })),
    series: [
      { name: 'Growth', cls: 'c2', values: months.map((m) => m.growthBps), format: (v) => percent(v) },
    ],
  });
  const rebateChart = chart({
    key: 'rebate',
    type: 'bar',
    mode: 'stacked',
    title: 'Rebate components',
    subtitle: 'below 0: clawback',
    categories: labels,
    provisional,
    axisFormat: compactMoney,
    series: COMPONENTS.map(([field, name, cls]) => ({
      name,
      cls,
      values: months.map((m) => Number(m.rebate[field])),
      format: (v) => money(v.toFixed(2)),
    })),
  });

  mount(
    root,
    partnerMode
      ? null
      : h('p', { class: 'back' }, h('a', { href: '#/partners', 'data-focus': 'back' }, '← All partners')),
    h(
      'header',
      { class: 'partner-head' },
      h(
        'h1',
        {},
        detail.name,
        ' ',
        h('span', { class: 'id', 'data-channel-id': detail.channelId }, detail.channelId),
      ),
      h(
        'p',
        { class: 'facts' },
        detail.kind,
        detail.online ? ' · sells online' : '',
        ` · region ${detail.region ?? '—'}`,
        item.firstMonth === '' ? '' : ` · since ${monthLabel(item.firstMonth)}`,
      ),
    ),
    cards,
    h('div', { class: 'charts three' }, netChart, growthChart, rebateChart),
    targetsPanel(ctx, detail.channelId),
    monthTable(ctx, detail.channelId, months),
    renderExplain(ctx, detail.channelId),
    rollupPanel(ctx, detail.channelId),
    claimsPanel(ctx, detail.channelId),
    satisfactionPanel(ctx, detail.channelId),
    h(
      'div',
      { class: 'columns' },
      tierHistory(ctx, detail.channelId, months),
      training(ctx, detail.channelId, months),
    ),
  );
}

/**
 * @param {string} label
 * @param {import('../dom.js').Child} value
 */
function card(label, value) {
  return h('div', { class: 'card' }, h('dt', {}, label), h('dd', {}, value));
}

/**
 * The month table: every figure is a button that opens its explanation.
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @param {MonthReport[]} months
 */
function monthTable(ctx, channelId, months) {
  const current = ctx.state.ui.explain;
  /**
   * @param {MonthReport} m
   * @param {ExplainField} field
   * @param {string} value   raw API value (data-value), shown formatted
   * @param {import('../dom.js').Child} [shown]
   */
  const fig = (m, field, value, shown) => {
    const selected =
      current !== null &&
      current.channelId === channelId &&
      current.month === m.month &&
      current.field === field;
    return h(
      'td',
      { class: `num${selected ? ' selected' : ''}`, 'data-field': field, 'data-value': value },
      h(
        'button',
        {
          type: 'button',
          class: 'figure',
          'data-focus': `fig:${m.month}:${field}`,
          'aria-label': `${field} of ${m.month}: ${value} — explain`,
          'aria-pressed': selected ? 'true' : 'false',
          onclick: () => ctx.explain(channelId, m.month, field),
        },
        shown ?? money(value),
      ),
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'months-title' },
    h('h2', { id: 'months-title' }, 'Months'),
    exportButtons(`/v1/channels/${encodeURIComponent(channelId)}`),
    h('p', { class: 'hint' }, 'Select any figure to see the events behind it. Open months are provisional.'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data months', id: 'months-table' },
        h('caption', { class: 'sr-only' }, 'Figures per month'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Month'),
            h('th', { scope: 'col' }, 'Tier'),
            h('th', { scope: 'col', class: 'num' }, 'Sales'),
            h('th', { scope: 'col', class: 'num' }, 'Returns'),
            h('th', { scope: 'col', class: 'num' }, 'Net'),
            h('th', { scope: 'col', class: 'num' }, 'Orders'),
            h('th', { scope: 'col', class: 'num' }, 'Units'),
            h('th', { scope: 'col', class: 'num' }, 'Growth'),
            h('th', { scope: 'col' }, 'Status'),
            h('th', { scope: 'col', class: 'num' }, 'Base'),
            h('th', { scope: 'col', class: 'num' }, 'Growth bonus'),
            h('th', { scope: 'col', class: 'num' }, 'Promotion'),
            h('th', { scope: 'col', class: 'num' }, 'Volume'),
            h('th', { scope: 'col', class: 'num' }, 'Rebate total'),
          ),
        ),
        h(
          'tbody',
          {},
          months.map((m) =>
            h(
              'tr',
              { 'data-month': m.month, class: m.closed ? null : 'open-month' },
              h(
                'th',
                { scope: 'row' },
                monthLabel(m.month),
                m.closed ? null : h('small', { class: 'tag' }, ' open'),
                m.restated
                  ? h(
                      'small',
                      { class: 'tag restated', title: 'late events changed this closed month' },
                      ' restated',
                    )
                  : null,
              ),
              h('td', {}, tierBadge(m.tier)),
              fig(m, 'sales', m.sales),
              fig(m, 'returns', m.returns),
              fig(m, 'net', m.net),
              h('td', { class: 'num' }, String(m.orders)),
              h('td', { class: 'num' }, String(m.units)),
              fig(m, 'growth', m.growthBps === null ? '' : String(m.growthBps), percent(m.growthBps)),
              h('td', {}, statusBadge(m.growthStatus)),
              fig(m, 'base', m.rebate.base),
              fig(m, 'growthBonus', m.rebate.growthBonus),
              fig(m, 'promotion', m.rebate.promotion),
              fig(m, 'volume', m.rebate.volume),
              fig(m, 'total', m.rebate.total, h('strong', {}, money(m.rebate.total))),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Tier movements of the channel, and the tier in effect month by month.
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @param {MonthReport[]} months
 */
function tierHistory(ctx, channelId, months) {
  const moves = ctx.state.data.tierMovements.filter((m) => m.channelId === channelId);
  return h(
    'section',
    { class: 'tier-history', 'aria-labelledby': 'tiers-title' },
    h('h2', { id: 'tiers-title' }, 'Tier history'),
    h(
      'ol',
      { class: 'tier-strip', 'aria-label': 'Tier in effect per month' },
      months.map((m) =>
        h('li', {}, h('span', { class: 'm' }, monthLabel(m.month, { short: true })), tierBadge(m.tier)),
      ),
    ),
    moves.length === 0
      ? h('p', { class: 'muted' }, 'No tier movement yet.')
      : h(
          'table',
          { class: 'data compact' },
          h('caption', { class: 'sr-only' }, 'Tier movements'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Review'),
              h('th', { scope: 'col' }, 'Movement'),
              h('th', { scope: 'col' }, 'Tiers'),
              h('th', { scope: 'col' }, 'Effective'),
            ),
          ),
          h(
            'tbody',
            {},
            moves.map((m) =>
              h(
                'tr',
                {},
                h('td', {}, monthLabel(m.reviewMonth)),
                h(
                  'td',
                  {},
                  h(
                    'span',
                    { class: `move move-${m.kind.toLowerCase()}` },
                    m.kind === 'UPGRADE' ? '▲ upgrade' : '▼ downgrade',
                  ),
                ),
                h('td', {}, tierBadge(m.from), ' → ', tierBadge(m.to)),
                h('td', {}, monthLabel(m.effectiveMonth)),
              ),
            ),
          ),
        ),
  );
}

/** @param {number} v */
const count = (v) => (Number.isInteger(v) ? String(v) : '');

/**
 * Trainings and certifications (GET /v1/channels/:id/trainings, read when the page shows):
 * the distinct trainees certified in the last 12 months — what the quarterly tier review
 * counts — courses and certifications per month, and every trainee with their certifications.
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @param {MonthReport[]} months   the channel's months (which are open)
 */
function training(ctx, channelId, months) {
  const found = ctx.trainingsOf(channelId);
  /** @param {import('../dom.js').Child[]} children */
  const section = (...children) =>
    h(
      'section',
      { class: 'training', id: 'training', 'aria-labelledby': 'training-title' },
      h('h2', { id: 'training-title' }, 'Training & certifications'),
      ...children,
    );
  if (found === undefined)
    return section(h('p', { class: 'loading', role: 'status' }, 'Reading the trainings…'));
  if (found instanceof Error) {
    const missing = found instanceof ApiError && found.status === 404 && found.code === 'NOT_FOUND';
    return section(
      h(
        'p',
        { class: missing ? 'muted' : 'error' },
        missing
          ? 'This server does not publish trainings yet.'
          : `Could not read the trainings: ${found.message}`,
      ),
    );
  }

  // The months of the certified-trainee count, as the server computed them (spec §4).
  const { from, to } = found.certificationWindow;
  /** @param {string} month */
  const inWindow = (month) => month >= from && month <= to;
  const trainings = found.months.reduce((n, m) => n + m.trainings, 0);
  const certifications = found.months.reduce((n, m) => n + m.certifications, 0);

  const cards = h(
    'dl',
    { class: 'cards' },
    card('Certified trainees, last 12 months', [
      h(
        'span',
        { class: 'certified', 'data-certified': found.certifiedLast12Months },
        String(found.certifiedLast12Months),
      ),
      found.months.length === 0
        ? null
        : h('small', { class: 'window' }, `${monthLabel(from)} – ${monthLabel(to)}`),
    ]),
    card('Trainings completed', String(trainings)),
    card('Certifications earned', String(certifications)),
  );
  const hint = h(
    'p',
    { class: 'hint' },
    'Each quarterly tier review counts the distinct trainees certified in the 12 months up to the reviewed month against the tier’s minimum.',
  );

  const open = new Map(months.map((m) => [m.month, !m.closed]));
  const perMonth =
    trainings === 0
      ? h('p', { class: 'muted' }, 'No training completed yet.')
      : [
          chart({
            key: 'trainings',
            type: 'bar',
            size: 'wide',
            title: 'Trainings per month',
            subtitle: 'courses completed, and those that certified',
            categories: found.months.map((m) => monthLabel(m.month, { short: true })),
            provisional: found.months.map((m) => open.get(m.month) === true),
            axisFormat: count,
            series: [
              { name: 'Trainings', cls: 'c3', values: found.months.map((m) => m.trainings), format: String },
              {
                name: 'Certifications',
                cls: 'c2',
                values: found.months.map((m) => m.certifications),
                format: String,
              },
            ],
          }),
          h(
            'details',
            { class: 'per-month' },
            h('summary', {}, 'Per month'),
            h(
              'table',
              { class: 'data compact', id: 'training-months' },
              h('caption', { class: 'sr-only' }, 'Trainings and certifications per month'),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Month'),
                  h('th', { scope: 'col', class: 'num' }, 'Trainings'),
                  h('th', { scope: 'col', class: 'num' }, 'Certifications'),
                ),
              ),
              h(
                'tbody',
                {},
                found.months.map((m) =>
                  h(
                    'tr',
                    { 'data-month': m.month },
                    h('th', { scope: 'row' }, monthLabel(m.month)),
                    h('td', { class: 'num' }, String(m.trainings)),
                    h('td', { class: 'num' }, String(m.certifications)),
                  ),
                ),
              ),
            ),
          ),
        ];

  const trainees =
    found.trainees.length === 0
      ? null
      : h(
          'div',
          { class: 'table-wrap trainees-wrap' },
          h(
            'table',
            { class: 'data compact trainees', id: 'trainees-table' },
            h('caption', { class: 'sr-only' }, 'Trainees and their certifications'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Trainee'),
                h('th', { scope: 'col' }, 'Certifications'),
                h('th', { scope: 'col' }, 'Last 12 months'),
              ),
            ),
            h(
              'tbody',
              {},
              found.trainees.map((t) => {
                const counts = t.certifications.some((c) => inWindow(c.month));
                return h(
                  'tr',
                  { 'data-trainee': t.traineeId },
                  h('th', { scope: 'row', class: 'mono' }, t.traineeId),
                  h(
                    'td',
                    {},
                    t.certifications.length === 0
                      ? h('span', { class: 'muted' }, 'trained, not certified')
                      : h(
                          'ul',
                          { class: 'certs' },
                          t.certifications.map((c) =>
                            h(
                              'li',
                              {
                                class: inWindow(c.month) ? null : 'expired',
                                title: `course ${c.courseId} · event ${c.eventId}`,
                              },
                              h('span', { class: 'cert' }, c.certification),
                              h('small', {}, ` ${monthLabel(c.month, { short: true })} · ${c.courseId}`),
                            ),
                          ),
                        ),
                  ),
                  h(
                    'td',
                    { 'data-counts': counts ? 'true' : 'false' },
                    counts
                      ? h('span', { class: 'counts-yes' }, '✓ counted')
                      : h('span', { class: 'muted' }, '—'),
                  ),
                );
              }),
            ),
          ),
        );

  return section(
    cards,
    hint,
    perMonth,
    h('h3', {}, `Trainees (${found.trainees.length})`),
    trainees ?? h('p', { class: 'muted' }, 'No one has completed a course yet.'),
  );
}
