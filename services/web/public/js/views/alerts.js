// @ts-check
/**
 * The alerts view: the alerts feed, newest first, which grows live as the stream brings
 * `AlertRaised` facts, and the tier movements. A partner key sees its own only (the server
 * scopes both).
 */
import { t } from '../i18n.js';
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import { money, monthLabel, percent, quarterLabel, tierName } from '../format.js';
import { alertFilterForm, filterAlerts, PAGE, pager } from './alertFilters.js';
import { tierBadge } from './partners.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').Alert} Alert */
/** @typedef {import('../types.js').FeedAlert} FeedAlert */

/** @type {Readonly<Record<Alert['kind'], string>>} */
const KIND_LABEL = {
  GROWTH_TARGET_MISSED: t('Growth target missed'),
  GROWTH_TARGET_MISS_RETRACTED: t('Miss retracted'),
  TIER_DOWNGRADE_WARNING: t('Downgrade warning'),
  TIER_DOWNGRADED: t('Tier downgraded'),
  TARGET_BEHIND: t('Behind the quarterly target'),
  TARGET_BEHIND_RETRACTED: t('Target miss retracted'),
  CHANNEL_INACTIVE: t('Inactive partner'),
  CHANNEL_INACTIVE_RETRACTED: t('Inactivity retracted'),
};

/**
 * @param {Alert} a
 * @returns {string}
 */
export function describeAlert(a) {
  const month = monthLabel(a.month);
  const restated = a.restated === true ? t(' (after a restatement)') : '';
  /** @param {string | null | undefined} tier */
  const tier = (tier) => (tier === null || tier === undefined ? '?' : tierName(tier));
  const quarter = a.quarter === null || a.quarter === undefined ? '' : quarterLabel(a.quarter);
  switch (a.kind) {
    case 'GROWTH_TARGET_MISSED':
      return (
        t('grew {growth} in {month} against a target of {target}', {
          growth: percent(a.growthBps),
          month,
          target: percent(a.targetBps),
        }) + restated
      );
    case 'GROWTH_TARGET_MISS_RETRACTED':
      return t('no longer misses the target in {month}: late events restated the month', { month });
    case 'TIER_DOWNGRADE_WARNING':
      return t(
        'qualifies only for {qualifying} at the review of {month} (holds {tier}); a further miss downgrades it',
        { qualifying: tier(a.qualifyingTier), month, tier: tier(a.tier) },
      );
    case 'TIER_DOWNGRADED':
      return t('moved down from {from} to {to} at the review of {month}', {
        from: tier(a.from),
        to: tier(a.to),
        month,
      });
    case 'TARGET_BEHIND':
      return (
        t(
          'is behind its {quarter} commitment at the close of {month}: cumulative net {net} against {target}',
          { quarter, month, net: money(a.cumulativeNet), target: money(a.cumulativeTarget) },
        ) + restated
      );
    case 'TARGET_BEHIND_RETRACTED':
      return t('is no longer behind its {quarter} commitment: late events or a revised target changed it', {
        quarter,
      });
    case 'CHANNEL_INACTIVE':
      return t('sold nothing for {n} months up to {month} (last sale {last})', {
        n: a.idleMonths ?? '?',
        month,
        last:
          a.lastSaleMonth === null || a.lastSaleMonth === undefined
            ? t('never')
            : monthLabel(a.lastSaleMonth),
      });
    case 'CHANNEL_INACTIVE_RETRACTED':
      return t('is no longer inactive in {month}: a late sale restated the month', { month });
    default: {
      /** @type {never} */
      const never = a.kind;
      return String(never);
    }
  }
}

/**
 * @param {HTMLElement} root
 * @param {ViewContext} ctx
 */
export function renderAlerts(root, ctx) {
  const { data, live } = ctx.state;
  const partnerMode = ctx.state.session?.role === 'partner';
  const feed = [...data.alerts].reverse();
  const names = new Map([...data.details.values()].map((d) => [d.channelId, d.name]));
  /** @param {string} channelId */
  const tierOf = (channelId) => data.details.get(channelId)?.tier ?? null;
  const filtered = filterAlerts(feed, ctx.state.ui.alertFilters, tierOf);
  const page = Math.min(ctx.state.ui.alertFilters.page, Math.max(0, Math.ceil(filtered.length / PAGE) - 1));
  const shown = filtered.slice(page * PAGE, (page + 1) * PAGE);
  const liveText =
    live === 'connected' ? t('updating live') : live === 'off' ? t('not live') : t(`live stream ${live}`);

  mount(
    root,
    h('h1', {}, t('Alerts')),
    h(
      'div',
      { class: 'columns alerts-layout' },
      h(
        'section',
        { 'aria-labelledby': 'feed-title', class: 'feed-section' },
        h(
          'h2',
          { id: 'feed-title' },
          t('Alerts feed'),
          ' ',
          h('small', { class: `live-note live-${live}` }, liveText),
        ),
        exportButtons('/v1/alerts?limit=1000'),
        feed.length === 0
          ? h('p', { class: 'muted', id: 'alerts-empty' }, t('No alert yet.'))
          : alertFilterForm(ctx, feed, filtered.length, { kinds: KIND_LABEL, names, tierOf, partnerMode }),
        h(
          'ol',
          { class: 'feed', id: 'alerts-feed', 'aria-live': 'polite', 'aria-relevant': 'additions' },
          shown.map((f) => alertItem(f, names, partnerMode)),
        ),
        pager(ctx, filtered.length),
      ),
      h(
        'section',
        { 'aria-labelledby': 'moves-title' },
        h('h2', { id: 'moves-title' }, t('Tier movements')),
        exportButtons('/v1/tier-movements'),
        data.tierMovements.length === 0
          ? h('p', { class: 'muted' }, t('No tier movement yet.'))
          : h(
              'table',
              { class: 'data compact', id: 'tier-movements' },
              h('caption', { class: 'sr-only' }, t('Tier movements in the order they happened')),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  [t('Partner'), t('Review'), t('Movement'), t('Tiers'), t('Effective')].map((label) =>
                    h('th', { scope: 'col' }, label),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                [...data.tierMovements]
                  .reverse()
                  .map((m) =>
                    h(
                      'tr',
                      { 'data-channel': m.channelId },
                      h('th', { scope: 'row' }, channelLink(m.channelId, partnerMode)),
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
      ),
    ),
  );
}

/**
 * @param {string} channelId
 * @param {boolean} partnerMode
 */
function channelLink(channelId, partnerMode) {
  return partnerMode
    ? h('span', { translate: 'no' }, channelId)
    : h('a', { href: `#/channel/${encodeURIComponent(channelId)}`, translate: 'no' }, channelId);
}

/**
 * @param {FeedAlert} f
 * @param {Map<string, string>} names
 * @param {boolean} partnerMode
 */
function alertItem(f, names, partnerMode) {
  const a = f.alert;
  const severity = a.kind.endsWith('_RETRACTED')
    ? 'info'
    : a.kind === 'TIER_DOWNGRADE_WARNING'
      ? 'warn'
      : 'bad';
  return h(
    'li',
    { class: `alert alert-${severity}${f.live ? ' fresh' : ''}`, 'data-alert-id': a.id, 'data-kind': a.kind },
    h(
      'div',
      { class: 'alert-head' },
      h('span', { class: 'kind' }, KIND_LABEL[a.kind]),
      f.live ? h('span', { class: 'new' }, t('new')) : null,
      h('span', { class: 'when' }, monthLabel(a.month)),
    ),
    h(
      'p',
      {},
      channelLink(a.channelId, partnerMode),
      ' ',
      h('span', { class: 'name', translate: 'no' }, names.get(a.channelId) ?? ''),
      ' ',
      describeAlert(a),
    ),
    h('code', { class: 'alert-id', translate: 'no' }, a.id),
  );
}
