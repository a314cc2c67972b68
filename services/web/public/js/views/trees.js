// @ts-check
/**
 * (v2) Distribution trees: a top-level partner (a 总代 / distributor) and the sub-partners
 * under it, rolled up month by month — the members of each month, the tree's net, and its
 * growth against the target on the previous month of the same members.
 *
 * `#/trees` (analysts, GET /v1/rollups) shows every tree, each member linked to its partner
 * page; the partner page shows its own tree (GET /v1/channels/:id/rollup) when it heads one.
 */
import { plural, t } from '../i18n.js';
import { chart, growthChart } from '../charts.js';
import { h, mount } from '../dom.js';
import { compactMoney, money, monthLabel, percent } from '../format.js';
import { statusBadge } from './partners.js';
import { numCell, onDemandSection, partnerLink, readFailure, table } from './v2common.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').RollupReport} RollupReport */

/**
 * The partner page's "Distribution tree" panel: present only when the channel heads a tree.
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @returns {HTMLElement | null}
 */
export function rollupPanel(ctx, channelId) {
  return onDemandSection(ctx, {
    id: 'rollup',
    title: t('Distribution tree'),
    what: t('the tree’s roll-up'),
    path: `/v1/channels/${encodeURIComponent(channelId)}/rollup`,
    /** @param {{ rollup: RollupReport | null }} found */
    isEmpty: (found) => found.rollup === null || found.rollup.months.length === 0,
    /** @param {{ rollup: RollupReport | null }} found */
    body: (found) => (found.rollup === null ? null : treeBody(ctx, found.rollup)),
  });
}

/**
 * `#/trees`: every distributor's tree.
 * @param {HTMLElement} root
 * @param {ViewContext} ctx
 */
export function renderTrees(root, ctx) {
  /** @type {{ rollups: RollupReport[] } | Error | undefined} */
  const found = ctx.read('/v1/rollups');
  const title = h('h1', {}, t('Distribution trees'));
  const intro = h(
    'p',
    { class: 'hint' },
    t(
      'Each top-level partner with the sub-partners under it, month by month: the tree’s net is its members’ nets; its growth compares it with the same members’ net of the month before.',
    ),
  );
  if (found === undefined) {
    mount(root, title, h('p', { class: 'loading', role: 'status' }, t('Reading the trees…')));
    return;
  }
  if (found instanceof Error) {
    mount(
      root,
      title,
      readFailure(found, t('the trees')) ?? h('p', { class: 'muted' }, t('This server has no trees.')),
    );
    return;
  }
  if (found.rollups.length === 0) {
    mount(root, title, intro, h('p', { class: 'muted', id: 'no-trees' }, t('No partner heads a tree.')));
    return;
  }
  mount(
    root,
    title,
    intro,
    found.rollups.map((r) =>
      h(
        'section',
        { class: 'tree', 'data-tree': r.channelId, 'aria-labelledby': `tree-${r.channelId}` },
        h(
          'h2',
          { id: `tree-${r.channelId}` },
          partnerLink(r.channelId, nameOf(ctx, r.channelId)),
          ' ',
          h('span', { class: 'id' }, r.channelId),
        ),
        treeBody(ctx, r),
      ),
    ),
  );
}

/**
 * @param {ViewContext} ctx
 * @param {string} channelId
 */
function nameOf(ctx, channelId) {
  return ctx.state.data.details.get(channelId)?.name ?? channelId;
}

/**
 * A member of a tree: a link to its page for an analyst; for a partner key, a link only to
 * itself (the others' pages are not its to read).
 * @param {ViewContext} ctx
 * @param {string} channelId
 */
function member(ctx, channelId) {
  const session = ctx.state.session;
  const own = session?.role !== 'partner' || session.channelId === channelId;
  return h(
    'li',
    { 'data-member': channelId },
    own ? partnerLink(channelId) : h('span', { class: 'mono', translate: 'no' }, channelId),
  );
}

/**
 * @param {ViewContext} ctx
 * @param {RollupReport} r
 */
function treeBody(ctx, r) {
  const months = r.months;
  const labels = months.map((m) => monthLabel(m.month));
  const lastClosed = ctx.state.data.lastClosedMonth;
  const provisional = months.map((m) => lastClosed === null || m.month > lastClosed);
  const latest = months[months.length - 1];
  const charts = h(
    'div',
    { class: 'charts two' },
    chart({
      key: `tree-net-${r.channelId}`,
      type: 'bar',
      title: t('Tree net'),
      subtitle: t('the members’ nets, per month'),
      categories: labels,
      provisional,
      axisFormat: compactMoney,
      series: [
        {
          name: t('Tree net'),
          cls: 'c1',
          values: months.map((m) => Number(m.net)),
          format: (v) => money(v.toFixed(2)),
        },
        {
          name: t('Same members, month before'),
          cls: 'c4',
          values: months.map((m) => Number(m.previousNet)),
          format: (v) => money(v.toFixed(2)),
        },
      ],
    }),
    growthChart({
      key: `tree-growth-${r.channelId}`,
      title: t('Tree growth'),
      categories: labels,
      provisional,
      months,
    }),
  );
  return [
    latest === undefined
      ? null
      : h(
          'p',
          { class: 'facts' },
          `${monthLabel(latest.month)}: `,
          plural(latest.members.length, '{n} member', '{n} members'),
          t(', tree net {net}, growth {growth} ', {
            net: money(latest.net),
            growth: percent(latest.growthBps),
          }),
          statusBadge(latest.growthStatus),
        ),
    charts,
    table(
      {
        id: `tree-months-${r.channelId}`,
        caption: t('Tree of {id} per month', { id: r.channelId }),
        cls: 'compact tree-months',
      },
      [
        [t('Month'), false],
        [t('Members'), false],
        [t('Tree net'), true],
        [t('Previous net'), true],
        [t('Growth'), true],
        [t('Status'), false],
      ],
      months.map((m) =>
        h(
          'tr',
          { 'data-month': m.month },
          h('th', { scope: 'row' }, monthLabel(m.month)),
          h(
            'td',
            { 'data-field': 'members', 'data-value': m.members.join(' ') },
            h(
              'ul',
              { class: 'members' },
              m.members.map((id) => member(ctx, id)),
            ),
          ),
          numCell('net', m.net, money(m.net)),
          numCell('previousNet', m.previousNet, money(m.previousNet)),
          numCell('growthBps', m.growthBps, percent(m.growthBps)),
          h('td', {}, statusBadge(m.growthStatus)),
        ),
      ),
    ),
  ];
}
