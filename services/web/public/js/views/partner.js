// @ts-check
/**
 * The partner page: who the partner is, its monthly net and growth against the target, its
 * rebate components per month, its tier history, its trainings and certified trainees
 * (GET …/trainings), (v2) its target and attainment, tree, price-protection claims and
 * satisfaction when it has any, and a month table in which every figure opens the events behind it
 * (GET …/months/:month/explain).
 */
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import { chart, growthChart } from '../charts.js';
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import { compactMoney, money, monthLabel, percent, quarterLabel } from '../format.js';
import { listItemOf } from '../channels.js';
import { FIELD_LABEL, renderExplain } from './explain.js';
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
  ['base', t('Base'), 'c1'],
  ['growthBonus', t('Growth bonus'), 'c2'],
  ['promotion', t('Promotion'), 'c3'],
  ['volume', t('Volume'), 'c4'],
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
      h('h1', {}, t('Partner not found')),
      h('p', {}, t('No channel {id} is registered.', { id: channelId })),
      partnerMode ? null : h('p', {}, h('a', { href: '#/partners' }, t('← All partners'))),
    );
    return;
  }
  const item = listItemOf(detail);
  const months = detail.months;
  const labels = months.map((m) => monthLabel(m.month));
  const provisional = months.map((m) => !m.closed);
  const latest = months[months.length - 1];
  const open = latest !== undefined && !latest.closed ? latest : undefined;

  const cards = h(
    'dl',
    { class: 'cards' },
    card(t('Tier now'), tierBadge(detail.tier)),
    card(
      t('Last closed month'),
      item.lastClosedMonth === null ? t('none yet') : monthLabel(item.lastClosedMonth),
    ),
    card(t('Net, last closed month'), money(item.lastClosedNet)),
    card(
      t('Growth vs target'),
      h(
        'span',
        {},
        percent(item.lastClosedGrowthBps),
        ' ',
        statusBadge(item.lastClosedGrowthStatus ?? 'OPEN'),
      ),
    ),
    card(
      t('Rebate accrued {quarter}', { quarter: item.quarter === null ? '' : quarterLabel(item.quarter) }),
      money(item.quarterRebateAccrued),
    ),
    open === undefined
      ? null
      : card(
          t('Open month {month} (provisional)', { month: monthLabel(open.month) }),
          h('span', { class: 'provisional' }, `${money(open.net)} · ${percent(open.growthBps)}`),
        ),
  );

  const netChart = chart({
    key: 'net',
    type: 'bar',
    title: t('Monthly net'),
    subtitle: t('sales − returns'),
    categories: labels,
    provisional,
    axisFormat: compactMoney,
    series: [
      {
        name: t('Net'),
        cls: 'c1',
        values: months.map((m) => Number(m.net)),
        format: (v) => money(v.toFixed(2)),
      },
    ],
  });
  const growth = growthChart({
    key: 'growth',
    title: t('Growth vs previous month'),
    categories: labels,
    provisional,
    months,
  });
  const rebateChart = chart({
    key: 'rebate',
    type: 'bar',
    mode: 'stacked',
    title: t('Rebate components'),
    subtitle: t('below 0: clawback'),
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
      : h('p', { class: 'back' }, h('a', { href: '#/partners', 'data-focus': 'back' }, t('← All partners'))),
    h(
      'header',
      { class: 'partner-head' },
      h(
        'h1',
        {},
        h('span', { translate: 'no' }, detail.name),
        ' ',
        h('span', { class: 'id', 'data-channel-id': detail.channelId, translate: 'no' }, detail.channelId),
      ),
      h(
        'p',
        { class: 'facts' },
        t(detail.kind),
        detail.online ? t(' · sells online') : '',
        t(' · region '),
        h('span', { translate: 'no' }, detail.region ?? '—'),
        item.firstMonth === '' ? '' : t(' · since {month}', { month: monthLabel(item.firstMonth) }),
      ),
    ),
    cards,
    h('div', { class: 'charts three' }, netChart, growth, rebateChart),
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
          'aria-label': t('{field} of {month}: {value} — explain', {
            field: FIELD_LABEL[field],
            month: monthLabel(m.month),
            value,
          }),
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
    h('h2', { id: 'months-title' }, t('Months')),
    exportButtons(`/v1/channels/${encodeURIComponent(channelId)}`),
    h(
      'p',
      { class: 'hint' },
      t('Select any figure to see the events behind it. Open months are provisional.'),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data months', id: 'months-table' },
        h('caption', { class: 'sr-only' }, t('Figures per month')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('Month')),
            h('th', { scope: 'col' }, t('Tier')),
            h('th', { scope: 'col', class: 'num' }, t('Sales')),
            h('th', { scope: 'col', class: 'num' }, t('Returns')),
            h('th', { scope: 'col', class: 'num' }, t('Net')),
            h('th', { scope: 'col', class: 'num' }, t('Orders')),
            h('th', { scope: 'col', class: 'num' }, t('Units')),
            h('th', { scope: 'col', class: 'num' }, t('Growth')),
            h('th', { scope: 'col' }, t('Status')),
            h('th', { scope: 'col', class: 'num' }, t('Base')),
            h('th', { scope: 'col', class: 'num' }, t('Growth bonus')),
            h('th', { scope: 'col', class: 'num' }, t('Promotion')),
            h('th', { scope: 'col', class: 'num' }, t('Volume')),
            h('th', { scope: 'col', class: 'num' }, t('Rebate total')),
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
                m.closed ? null : h('small', { class: 'tag' }, ' ', t('open')),
                m.restated
                  ? h(
                      'small',
                      { class: 'tag restated', title: t('late events changed this closed month') },
                      ' ',
                      t('restated'),
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
    h('h2', { id: 'tiers-title' }, t('Tier history')),
    h(
      'ol',
      { class: 'tier-strip', 'aria-label': t('Tier in effect per month') },
      months.map((m) => h('li', {}, h('span', { class: 'm' }, monthLabel(m.month)), tierBadge(m.tier))),
    ),
    moves.length === 0
      ? h('p', { class: 'muted' }, t('No tier movement yet.'))
      : h(
          'table',
          { class: 'data compact' },
          h('caption', { class: 'sr-only' }, t('Tier movements')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('Review')),
              h('th', { scope: 'col' }, t('Movement')),
              h('th', { scope: 'col' }, t('Tiers')),
              h('th', { scope: 'col' }, t('Effective')),
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
                    m.kind === 'UPGRADE' ? t('▲ upgrade') : t('▼ downgrade'),
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
      h('h2', { id: 'training-title' }, t('Training & certifications')),
      ...children,
    );
  if (found === undefined)
    return section(h('p', { class: 'loading', role: 'status' }, t('Reading the trainings…')));
  if (found instanceof Error) {
    const missing = found instanceof ApiError && found.status === 404 && found.code === 'NOT_FOUND';
    return section(
      h(
        'p',
        { class: missing ? 'muted' : 'error' },
        missing
          ? t('This server does not publish trainings yet.')
          : t('Could not read the trainings: {error}', { error: found.message }),
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
    card(t('Certified trainees, last 12 months'), [
      h(
        'span',
        { class: 'certified', 'data-certified': found.certifiedLast12Months },
        String(found.certifiedLast12Months),
      ),
      found.months.length === 0
        ? null
        : h('small', { class: 'window' }, `${monthLabel(from)} – ${monthLabel(to)}`),
    ]),
    card(t('Trainings completed'), String(trainings)),
    card(t('Certifications earned'), String(certifications)),
  );
  const hint = h(
    'p',
    { class: 'hint' },
    t(
      'Each quarterly tier review counts the distinct trainees certified in the 12 months up to the reviewed month against the tier’s minimum.',
    ),
  );

  const open = new Map(months.map((m) => [m.month, !m.closed]));
  const perMonth =
    trainings === 0
      ? h('p', { class: 'muted' }, t('No training completed yet.'))
      : [
          chart({
            key: 'trainings',
            type: 'bar',
            size: 'wide',
            title: t('Trainings per month'),
            subtitle: t('courses completed, and those that certified'),
            categories: found.months.map((m) => monthLabel(m.month)),
            provisional: found.months.map((m) => open.get(m.month) === true),
            axisFormat: count,
            series: [
              {
                name: t('Trainings'),
                cls: 'c3',
                values: found.months.map((m) => m.trainings),
                format: String,
              },
              {
                name: t('Certifications'),
                cls: 'c2',
                values: found.months.map((m) => m.certifications),
                format: String,
              },
            ],
          }),
          h(
            'details',
            { class: 'per-month' },
            h('summary', {}, t('Per month')),
            h(
              'table',
              { class: 'data compact', id: 'training-months' },
              h('caption', { class: 'sr-only' }, t('Trainings and certifications per month')),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, t('Month')),
                  h('th', { scope: 'col', class: 'num' }, t('Trainings')),
                  h('th', { scope: 'col', class: 'num' }, t('Certifications')),
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
            h('caption', { class: 'sr-only' }, t('Trainees and their certifications')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, t('Trainee')),
                h('th', { scope: 'col' }, t('Certifications')),
                h('th', { scope: 'col' }, t('Last 12 months')),
              ),
            ),
            h(
              'tbody',
              {},
              found.trainees.map((trainee) => {
                const counts = trainee.certifications.some((c) => inWindow(c.month));
                return h(
                  'tr',
                  { 'data-trainee': trainee.traineeId },
                  h('th', { scope: 'row', class: 'mono', translate: 'no' }, trainee.traineeId),
                  h(
                    'td',
                    {},
                    trainee.certifications.length === 0
                      ? h('span', { class: 'muted' }, t('trained, not certified'))
                      : h(
                          'ul',
                          { class: 'certs' },
                          trainee.certifications.map((c) =>
                            h(
                              'li',
                              {
                                class: inWindow(c.month) ? null : 'expired',
                                title: t('course {course} · event {event}', {
                                  course: c.courseId,
                                  event: c.eventId,
                                }),
                              },
                              h('span', { class: 'cert', translate: 'no' }, c.certification),
                              h(
                                'small',
                                {},
                                ` ${monthLabel(c.month)} · `,
                                h('span', { translate: 'no' }, c.courseId),
                              ),
                            ),
                          ),
                        ),
                  ),
                  h(
                    'td',
                    { 'data-counts': counts ? 'true' : 'false' },
                    counts
                      ? h('span', { class: 'counts-yes' }, t('✓ counted'))
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
    h('h3', {}, t('Trainees ({n})', { n: found.trainees.length })),
    trainees ?? h('p', { class: 'muted' }, t('No one has completed a course yet.')),
  );
}
