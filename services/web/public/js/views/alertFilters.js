// @ts-check
/**
 * The alerts view's filters (kind, month, partner, partner's tier) and its pages: with
 * hundreds of partners the feed holds thousands of alerts, shown PAGE at a time, newest first.
 * Alerts arriving live join the feed; the page shown stays where it is.
 */
import { h } from '../dom.js';
import { monthLabel, tierName } from '../format.js';
import { plural, t } from '../i18n.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').FeedAlert} FeedAlert */
/** @typedef {ViewContext['state']['ui']['alertFilters']} AlertFilters */

export const PAGE = 50;

/**
 * @param {readonly FeedAlert[]} feed
 * @param {AlertFilters} f
 * @param {(channelId: string) => string | null} tierOf
 * @returns {FeedAlert[]}
 */
export function filterAlerts(feed, f, tierOf) {
  return feed.filter(
    ({ alert: a }) =>
      (f.kind === '' || a.kind === f.kind) &&
      (f.month === '' || a.month === f.month) &&
      (f.channelId === '' || a.channelId === f.channelId) &&
      (f.tier === '' || tierOf(a.channelId) === f.tier),
  );
}

/**
 * The filter form over the whole feed, and the count of what it lets through.
 * @param {ViewContext} ctx
 * @param {readonly FeedAlert[]} feed
 * @param {number} shown
 * @param {{ kinds: Readonly<Record<string, string>>, names: Map<string, string>, tierOf: (channelId: string) => string | null, partnerMode: boolean }} o
 * @returns {HTMLElement}
 */
export function alertFilterForm(ctx, feed, shown, o) {
  const f = ctx.state.ui.alertFilters;
  /** @param {Iterable<string>} values */
  const distinct = (values) => [...new Set(values)].sort();
  /**
   * @param {'kind' | 'month' | 'channelId' | 'tier'} name
   * @param {string} label
   * @param {[string, string][]} options   value, text
   * @param {boolean} data   the options' text is data (ids, names): not translated
   */
  const select = (name, label, options, data) =>
    h(
      'label',
      { class: 'filter' },
      label,
      h(
        'select',
        {
          name,
          'data-focus': `alerts-filter:${name}`,
          onchange: (e) => {
            f[name] = /** @type {HTMLSelectElement} */ (e.target).value;
            f.page = 0;
            ctx.rerender();
          },
        },
        h('option', { value: '' }, t('all')),
        options.map(([v, text]) =>
          h('option', { value: v, selected: f[name] === v, translate: data ? 'no' : null }, text),
        ),
      ),
    );
  const alerts = feed.map((x) => x.alert);
  const kinds = distinct(alerts.map((a) => a.kind));
  const months = distinct(alerts.map((a) => a.month)).reverse();
  const channels = distinct(alerts.map((a) => a.channelId));
  const tiers = distinct(channels.flatMap((c) => o.tierOf(c) ?? []));
  return h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': t('Filter alerts'),
      onsubmit: (e) => e.preventDefault(),
    },
    select(
      'kind',
      t('Kind'),
      kinds.map((k) => [k, o.kinds[k] ?? k]),
      false,
    ),
    select(
      'month',
      t('Month'),
      months.map((m) => [m, monthLabel(m)]),
      false,
    ),
    o.partnerMode
      ? null
      : select(
          'channelId',
          t('Partner'),
          channels.map((c) => [c, `${c} · ${o.names.get(c) ?? ''}`]),
          true,
        ),
    o.partnerMode
      ? null
      : select(
          'tier',
          t('Tier'),
          tiers.map((x) => [x, tierName(x)]),
          true,
        ),
    h(
      'span',
      { class: 'count', role: 'status' },
      t('{n} of {total}', { n: shown, total: plural(feed.length, '{n} alert', '{n} alerts') }),
    ),
  );
}

/**
 * Previous / next, and which alerts the page shows.
 * @param {ViewContext} ctx
 * @param {number} total   alerts the filters let through
 * @returns {HTMLElement | null}
 */
export function pager(ctx, total) {
  const f = ctx.state.ui.alertFilters;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  if (pages === 1) return null;
  const page = Math.min(f.page, pages - 1);
  /** @param {number} to @param {string} label @param {string} key */
  const go = (to, label, key) =>
    h(
      'button',
      {
        type: 'button',
        'data-focus': `alerts-page:${key}`,
        'data-page': key,
        disabled: to < 0 || to >= pages,
        onclick: () => {
          f.page = to;
          ctx.rerender();
        },
      },
      label,
    );
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('Alert pages') },
    go(page - 1, t('← Newer'), 'prev'),
    h(
      'span',
      { class: 'page-of' },
      t('{from}–{to} of {total}', {
        from: page * PAGE + 1,
        to: Math.min(total, (page + 1) * PAGE),
        total,
      }),
    ),
    go(page + 1, t('Older →'), 'next'),
  );
}
