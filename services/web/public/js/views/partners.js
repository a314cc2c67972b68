// @ts-check
/**
 * The partners view: every channel with its tier, its last closed month (net, growth against
 * the target, status), its provisional open month and its rebate accrued this quarter —
 * sortable by any column (headers are buttons, so the keyboard sorts too) and filterable —
 * and the growth heatmap of the same rows, partners × months, where a falling partner shows
 * as a run of red.
 */
import { t } from '../i18n.js';
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import {
  compareAmounts,
  compareTiers,
  knownTier,
  money,
  monthLabel,
  percent,
  quarterLabel,
  statusLabel,
  tierName,
} from '../format.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').ChannelListItem} ChannelListItem */
/** @typedef {import('../types.js').ChannelDetail} ChannelDetail */
/** @typedef {import('../types.js').MonthReport} MonthReport */
/** @typedef {import('../types.js').GrowthStatus} GrowthStatus */

/**
 * A row of the table: the list item, and the channel's latest (open) month when there is one.
 * @typedef {object} Row
 * @property {ChannelListItem} item
 * @property {MonthReport | undefined} latest
 * @property {GrowthStatus} status   of the last closed month; OPEN when none is closed yet
 */

/**
 * @param {ChannelListItem} item
 * @param {ChannelDetail | undefined} detail
 * @returns {Row}
 */
function rowOf(item, detail) {
  const latest = detail?.months[detail.months.length - 1];
  return { item, latest, status: item.lastClosedGrowthStatus ?? 'OPEN' };
}

/**
 * @typedef {object} Column
 * @property {string} key
 * @property {string} label
 * @property {boolean} [numeric]
 * @property {(a: Row, b: Row) => number} compare     nulls are sorted last by the caller
 * @property {(r: Row) => boolean} [isNull]
 */

/**
 * @param {string | null} a
 * @param {string | null} b
 */
const text = (a, b) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
/**
 * @param {number | null | undefined} a
 * @param {number | null | undefined} b
 */
const num = (a, b) => (a ?? 0) - (b ?? 0);

const STATUS_ORDER = { MISSED: 0, OPEN: 1, NO_BASELINE: 2, MET: 3 };

/** @type {Column[]} */
const COLUMNS = [
  { key: 'channelId', label: t('Partner'), compare: (a, b) => text(a.item.channelId, b.item.channelId) },
  { key: 'kind', label: t('Kind'), compare: (a, b) => text(a.item.kind, b.item.kind) },
  {
    key: 'region',
    label: t('Region'),
    compare: (a, b) => text(a.item.region, b.item.region),
    isNull: (r) => r.item.region === null,
  },
  {
    key: 'tier',
    label: t('Tier'),
    compare: (a, b) => compareTiers(a.item.tier, b.item.tier),
    isNull: (r) => r.item.tier === null,
  },
  {
    key: 'lastClosedMonth',
    label: t('Last closed'),
    compare: (a, b) => text(a.item.lastClosedMonth, b.item.lastClosedMonth),
    isNull: (r) => r.item.lastClosedMonth === null,
  },
  {
    key: 'net',
    label: t('Net'),
    numeric: true,
    compare: (a, b) => compareAmounts(a.item.lastClosedNet ?? '0', b.item.lastClosedNet ?? '0'),
    isNull: (r) => r.item.lastClosedNet === null,
  },
  {
    key: 'growth',
    label: t('Growth'),
    numeric: true,
    compare: (a, b) => num(a.item.lastClosedGrowthBps, b.item.lastClosedGrowthBps),
    isNull: (r) => r.item.lastClosedGrowthBps === null,
  },
  { key: 'status', label: t('Status'), compare: (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] },
  {
    key: 'open',
    label: t('Open month'),
    numeric: true,
    compare: (a, b) => num(a.latest?.growthBps, b.latest?.growthBps),
    isNull: (r) => r.latest === undefined || r.latest.closed || r.latest.growthBps === null,
  },
  {
    key: 'rebate',
    label: t('Rebate QTD'),
    numeric: true,
    compare: (a, b) => compareAmounts(a.item.quarterRebateAccrued ?? '0', b.item.quarterRebateAccrued ?? '0'),
    isNull: (r) => r.item.quarterRebateAccrued === null,
  },
];

/**
 * @param {readonly Row[]} rows
 * @param {{ key: string, dir: 1 | -1 }} sort
 * @returns {Row[]}
 */
export function sortRows(rows, sort) {
  const col = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0];
  if (col === undefined) return [...rows];
  return [...rows].sort((a, b) => {
    const na = col.isNull?.(a) ?? false;
    const nb = col.isNull?.(b) ?? false;
    if (na !== nb) return na ? 1 : -1; // no figure: last, whichever the direction
    const c = na ? 0 : col.compare(a, b) * sort.dir;
    return c !== 0 ? c : text(a.item.channelId, b.item.channelId);
  });
}

/**
 * @param {readonly Row[]} rows
 * @param {ViewContext['state']['ui']['filters']} f
 * @returns {Row[]}
 */
export function filterRows(rows, f) {
  const needle = f.text.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (f.tier === '' || r.item.tier === f.tier) &&
      (f.kind === '' || r.item.kind === f.kind) &&
      (f.region === '' ||
        (f.region === '\u0000none' ? r.item.region === null : r.item.region === f.region)) &&
      (!f.missed || r.status === 'MISSED') &&
      (needle === '' ||
        r.item.channelId.toLowerCase().includes(needle) ||
        r.item.name.toLowerCase().includes(needle)),
  );
}

/**
 * @param {string | null} tier
 * @returns {HTMLElement}
 */
export function tierBadge(tier) {
  return h(
    'span',
    { class: 'tier', 'data-tier': tier ?? '', translate: tier === null || knownTier(tier) ? null : 'no' },
    tier === null ? t('no tier') : tierName(tier),
  );
}

/**
 * @param {GrowthStatus} status
 * @returns {HTMLElement}
 */
export function statusBadge(status) {
  return h(
    'span',
    { class: `status status-${status.toLowerCase()}`, 'data-status': status },
    statusLabel(status),
  );
}

/**
 * The heat class of a growth figure against its target.
 * @param {number | null} bps
 * @param {number} targetBps
 * @returns {string}
 */
export function heatClass(bps, targetBps) {
  if (bps === null) return 'heat-none';
  if (bps >= targetBps)
    return bps >= targetBps + 2000 ? 'heat-up3' : bps >= targetBps + 1000 ? 'heat-up2' : 'heat-up1';
  if (bps >= 0) return 'heat-flat';
  if (bps >= -2000) return 'heat-down1';
  if (bps >= -5000) return 'heat-down2';
  return 'heat-down3';
}

/**
 * @param {HTMLElement} root
 * @param {ViewContext} ctx
 */
export function renderPartners(root, ctx) {
  const { state } = ctx;
  const ui = state.ui;
  const all = state.data.channels.map((c) => rowOf(c, state.data.details.get(c.channelId)));
  const rows = sortRows(filterRows(all, ui.filters), ui.sort);
  const target = all.find((r) => r.latest !== undefined)?.latest?.targetBps ?? 1000;
  const quarter = all.find((r) => r.item.quarter !== null)?.item.quarter ?? null;

  /** @param {Iterable<string>} values */
  const distinct = (values) => [...new Set(values)].sort();
  const tiers = distinct(all.flatMap((r) => (r.item.tier === null ? [] : [r.item.tier]))).sort(compareTiers);
  const kinds = distinct(all.map((r) => r.item.kind));
  const regions = distinct(all.flatMap((r) => (r.item.region === null ? [] : [r.item.region])));
  const anyWithoutRegion = all.some((r) => r.item.region === null);

  /** @param {'tier' | 'kind' | 'region'} name @param {string} v */
  const display = (name, v) => (name === 'tier' ? tierName(v) : name === 'kind' ? t(v) : v);
  /**
   * @param {'tier' | 'kind' | 'region'} name
   * @param {string} label
   * @param {string[]} values
   * @param {[string, string][]} [extra]
   */
  const select = (name, label, values, extra = []) =>
    h(
      'label',
      { class: 'filter' },
      label,
      h(
        'select',
        {
          name,
          'data-focus': `filter:${name}`,
          onchange: (e) => {
            ui.filters[name] = /** @type {HTMLSelectElement} */ (e.target).value;
            ctx.rerender();
          },
        },
        h('option', { value: '' }, t('all')),
        values.map((v) =>
          h(
            'option',
            { value: v, selected: ui.filters[name] === v, translate: name === 'kind' ? null : 'no' },
            display(name, v),
          ),
        ),
        extra.map(([v, t]) => h('option', { value: v, selected: ui.filters[name] === v }, t)),
      ),
    );

  const filters = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': t('Filter partners'),
      onsubmit: (e) => e.preventDefault(),
    },
    h(
      'label',
      { class: 'filter' },
      t('Search'),
      h('input', {
        type: 'search',
        name: 'text',
        value: ui.filters.text,
        placeholder: t('id or name'),
        'data-focus': 'filter:text',
        oninput: (e) => {
          ui.filters.text = /** @type {HTMLInputElement} */ (e.target).value;
          ctx.rerender();
        },
      }),
    ),
    select('tier', t('Tier'), tiers),
    select('kind', t('Kind'), kinds),
    select('region', t('Region'), regions, anyWithoutRegion ? [['\u0000none', t('(none)')]] : []),
    h(
      'label',
      { class: 'filter check' },
      h('input', {
        type: 'checkbox',
        name: 'missed',
        checked: ui.filters.missed,
        'data-focus': 'filter:missed',
        onchange: (e) => {
          ui.filters.missed = /** @type {HTMLInputElement} */ (e.target).checked;
          ctx.rerender();
        },
      }),
      t('Missed the target'),
    ),
    h(
      'span',
      { class: 'count', role: 'status' },
      t('{n} of {total} partners', { n: rows.length, total: all.length }),
    ),
    exportButtons('/v1/channels'),
  );

  const header = h(
    'tr',
    {},
    COLUMNS.map((c) => {
      const active = ui.sort.key === c.key;
      const dir = active ? (ui.sort.dir === 1 ? 'ascending' : 'descending') : null;
      return h(
        'th',
        { scope: 'col', class: c.numeric === true ? 'num' : null, 'aria-sort': dir },
        h(
          'button',
          {
            type: 'button',
            class: 'sort',
            'data-sort': c.key,
            'data-focus': `sort:${c.key}`,
            onclick: () => {
              ui.sort = { key: c.key, dir: active ? (ui.sort.dir === 1 ? -1 : 1) : 1 };
              ctx.rerender();
            },
          },
          c.label,
          h(
            'span',
            { class: 'arrow', 'aria-hidden': 'true' },
            active ? (ui.sort.dir === 1 ? '▲' : '▼') : '↕',
          ),
        ),
      );
    }),
  );

  const body = rows.map((r) => {
    const i = r.item;
    const href = `#/channel/${encodeURIComponent(i.channelId)}`;
    const open = r.latest !== undefined && !r.latest.closed ? r.latest : undefined;
    return h(
      'tr',
      { 'data-channel': i.channelId, class: `row-${r.status.toLowerCase()}` },
      h(
        'th',
        { scope: 'row', class: 'partner' },
        h(
          'a',
          { href, 'data-focus': `channel:${i.channelId}` },
          h('span', { class: 'id', translate: 'no' }, i.channelId),
        ),
        h('span', { class: 'name', translate: 'no' }, i.name),
      ),
      h(
        'td',
        { 'data-col': 'kind' },
        t(i.kind),
        i.online ? h('span', { class: 'online' }, t('online')) : null,
      ),
      h('td', { 'data-col': 'region', translate: 'no' }, i.region ?? h('span', { class: 'muted' }, '—')),
      h('td', { 'data-col': 'tier' }, tierBadge(i.tier)),
      h(
        'td',
        { 'data-col': 'lastClosedMonth' },
        i.lastClosedMonth === null
          ? h('span', { class: 'muted' }, t('none yet'))
          : monthLabel(i.lastClosedMonth),
      ),
      h(
        'td',
        { class: 'num', 'data-col': 'net', 'data-value': i.lastClosedNet ?? '' },
        money(i.lastClosedNet),
      ),
      h(
        'td',
        { class: 'num', 'data-col': 'growth' },
        h('span', { class: `growth status-${r.status.toLowerCase()}` }, percent(i.lastClosedGrowthBps)),
      ),
      h('td', { 'data-col': 'status' }, statusBadge(r.status)),
      h(
        'td',
        { class: 'num', 'data-col': 'open' },
        open === undefined
          ? h('span', { class: 'muted' }, '—')
          : h(
              'span',
              {
                class: 'provisional',
                title: t('{month} is open: provisional', { month: monthLabel(open.month) }),
              },
              `${percent(open.growthBps)} `,
              h('small', {}, monthLabel(open.month)),
            ),
      ),
      h(
        'td',
        { class: 'num', 'data-col': 'rebate', 'data-value': i.quarterRebateAccrued ?? '' },
        money(i.quarterRebateAccrued),
      ),
    );
  });

  const table = h(
    'table',
    { class: 'data partners', id: 'partners-table' },
    h(
      'caption',
      {},
      t(
        'Last closed month against the growth target ({target} a month); open month provisional; rebate accrued in {quarter} (QTD).',
        {
          target: percent(target),
          quarter: quarter === null ? t('the current quarter') : quarterLabel(quarter),
        },
      ),
    ),
    h('thead', {}, header),
    h(
      'tbody',
      {},
      body.length > 0
        ? body
        : h(
            'tr',
            {},
            h('td', { colspan: COLUMNS.length, class: 'empty' }, t('No partner matches these filters.')),
          ),
    ),
  );

  mount(
    root,
    h('h1', {}, t('Partners')),
    filters,
    h('div', { class: 'table-wrap partners-wrap' }, table),
    heatmap(rows, state.data.details),
  );
}

/**
 * Partners × months; the cell is the month's growth in % (exact bps in its title).
 * @param {Row[]} rows
 * @param {Map<string, ChannelDetail>} details
 * @returns {HTMLElement}
 */
function heatmap(rows, details) {
  const months = [
    ...new Set(rows.flatMap((r) => details.get(r.item.channelId)?.months.map((m) => m.month) ?? [])),
  ].sort();
  const target = rows[0]?.latest?.targetBps ?? 1000;
  const legend = [
    ['heat-up3', `≥ ${percent(target + 2000)}`],
    ['heat-up2', `≥ ${percent(target + 1000)}`],
    ['heat-up1', t('≥ {target} (target met)', { target: percent(target) })],
    ['heat-flat', t('0 to {target}', { target: percent(target) })],
    ['heat-down1', t('falling, to −20%')],
    ['heat-down2', t('−20% to −50%')],
    ['heat-down3', t('below −50%')],
    ['heat-none', t('no baseline')],
  ];
  return h(
    'section',
    { class: 'heatmap', 'aria-labelledby': 'heatmap-title' },
    h('h2', { id: 'heatmap-title' }, t('Growth heatmap')),
    h(
      'p',
      { class: 'hint' },
      t('Month-over-month growth of net sales, per partner. Outlined cells are open months (provisional).'),
    ),
    h(
      'ul',
      { class: 'legend heat-legend' },
      legend.map(([cls, label]) => h('li', {}, h('span', { class: `swatch ${cls ?? ''}` }), label)),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'heat', id: 'heatmap' },
        h('caption', { class: 'sr-only' }, t('Growth per partner and month, in percent')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('Partner')),
            months.map((m) => h('th', { scope: 'col' }, monthLabel(m))),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((r) => {
            const byMonth = new Map((details.get(r.item.channelId)?.months ?? []).map((m) => [m.month, m]));
            return h(
              'tr',
              { 'data-channel': r.item.channelId },
              h(
                'th',
                { scope: 'row' },
                h(
                  'a',
                  { href: `#/channel/${encodeURIComponent(r.item.channelId)}`, translate: 'no' },
                  r.item.channelId,
                ),
                h('span', { class: 'name', translate: 'no' }, r.item.name),
              ),
              months.map((month) => {
                const m = byMonth.get(month);
                if (m === undefined)
                  return h('td', {
                    class: 'heat-out',
                    title: t('{id} · {month}: not yet a month of this partner', {
                      id: r.item.channelId,
                      month: monthLabel(month),
                    }),
                  });
                const cls = `${heatClass(m.growthBps, m.targetBps)}${m.closed ? '' : ' open'}`;
                const growth =
                  m.growthBps === null ? t('no baseline') : `${percent(m.growthBps)} (${m.growthBps} bps)`;
                const title = `${r.item.channelId} · ${monthLabel(month)}: ${growth}, ${statusLabel(m.growthStatus)}`;
                return h(
                  'td',
                  { class: cls, title, 'data-month': month, 'data-bps': m.growthBps ?? '' },
                  m.growthBps === null ? '·' : percentShort(m.growthBps),
                );
              }),
            );
          }),
        ),
      ),
    ),
  );
}

/**
 * One decimal for the heatmap cells: 2000 → "+20.0".
 * @param {number} bps
 */
function percentShort(bps) {
  const tenths = Math.trunc(bps / 10);
  const abs = Math.abs(tenths);
  return `${bps < 0 ? '−' : bps > 0 ? '+' : ''}${Math.floor(abs / 10)}.${abs % 10}`;
}
