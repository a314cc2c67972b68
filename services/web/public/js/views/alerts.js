// @ts-check
/**
 * The alerts view: the alerts feed, newest first, which grows live as the stream brings
 * `AlertRaised` facts, and the tier movements. A partner key sees its own only (the server
 * scopes both).
 */
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import { money, monthLabel, percent } from '../format.js';
import { tierBadge } from './partners.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').Alert} Alert */
/** @typedef {import('../types.js').FeedAlert} FeedAlert */

/** @type {Readonly<Record<Alert['kind'], string>>} */
const KIND_LABEL = {
  GROWTH_TARGET_MISSED: 'Growth target missed',
  GROWTH_TARGET_MISS_RETRACTED: 'Miss retracted',
  TIER_DOWNGRADE_WARNING: 'Downgrade warning',
  TIER_DOWNGRADED: 'Tier downgraded',
  TARGET_BEHIND: 'Behind the quarterly target',
  TARGET_BEHIND_RETRACTED: 'Target miss retracted',
  CHANNEL_INACTIVE: 'Inactive partner',
  CHANNEL_INACTIVE_RETRACTED: 'Inactivity retracted',
};

/**
 * @param {Alert} a
 * @returns {string}
 */
export function describeAlert(a) {
  switch (a.kind) {
    case 'GROWTH_TARGET_MISSED':
      return `grew ${percent(a.growthBps)} in ${monthLabel(a.month)} against a target of ${percent(a.targetBps)}${a.restated === true ? ' (after a restatement)' : ''}`;
    case 'GROWTH_TARGET_MISS_RETRACTED':
      return `no longer misses the target in ${monthLabel(a.month)}: late events restated the month`;
    case 'TIER_DOWNGRADE_WARNING':
      return `qualifies only for ${a.qualifyingTier ?? '?'} at the review of ${monthLabel(a.month)} (holds ${a.tier ?? '?'}); a further miss downgrades it`;
    case 'TIER_DOWNGRADED':
      return `moved down from ${a.from ?? '?'} to ${a.to ?? '?'} at the review of ${monthLabel(a.month)}`;
    case 'TARGET_BEHIND':
      return `is behind its ${a.quarter ?? ''} commitment at the close of ${monthLabel(a.month)}: cumulative net ${money(a.cumulativeNet)} against ${money(a.cumulativeTarget)}${a.restated === true ? ' (after a restatement)' : ''}`;
    case 'TARGET_BEHIND_RETRACTED':
      return `is no longer behind its ${a.quarter ?? ''} commitment: late events or a revised target changed it`;
    case 'CHANNEL_INACTIVE':
      return `sold nothing for ${a.idleMonths ?? '?'} months up to ${monthLabel(a.month)} (last sale ${a.lastSaleMonth === null || a.lastSaleMonth === undefined ? 'never' : monthLabel(a.lastSaleMonth)})`;
    case 'CHANNEL_INACTIVE_RETRACTED':
      return `is no longer inactive in ${monthLabel(a.month)}: a late sale restated the month`;
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
  const liveText =
    live === 'connected' ? 'updating live' : live === 'off' ? 'not live' : `live stream ${live}`;

  mount(
    root,
    h('h1', {}, 'Alerts'),
    h(
      'div',
      { class: 'columns alerts-layout' },
      h(
        'section',
        { 'aria-labelledby': 'feed-title', class: 'feed-section' },
        h(
          'h2',
          { id: 'feed-title' },
          'Alerts feed ',
          h('small', { class: `live-note live-${live}` }, liveText),
        ),
        exportButtons('/v1/alerts?limit=1000'),
        feed.length === 0 ? h('p', { class: 'muted', id: 'alerts-empty' }, 'No alert yet.') : null,
        h(
          'ol',
          { class: 'feed', id: 'alerts-feed', 'aria-live': 'polite', 'aria-relevant': 'additions' },
          feed.map((f) => alertItem(f, names, partnerMode)),
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'moves-title' },
        h('h2', { id: 'moves-title' }, 'Tier movements'),
        exportButtons('/v1/tier-movements'),
        data.tierMovements.length === 0
          ? h('p', { class: 'muted' }, 'No tier movement yet.')
          : h(
              'table',
              { class: 'data compact', id: 'tier-movements' },
              h('caption', { class: 'sr-only' }, 'Tier movements in the order they happened'),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Partner', 'Review', 'Movement', 'Tiers', 'Effective'].map((t) =>
                    h('th', { scope: 'col' }, t),
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
                          m.kind === 'UPGRADE' ? '▲ upgrade' : '▼ downgrade',
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
  return partnerMode ? channelId : h('a', { href: `#/channel/${encodeURIComponent(channelId)}` }, channelId);
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
      f.live ? h('span', { class: 'new' }, 'new') : null,
      h('span', { class: 'when' }, monthLabel(a.month)),
    ),
    h(
      'p',
      {},
      channelLink(a.channelId, partnerMode),
      ' ',
      h('span', { class: 'name' }, names.get(a.channelId) ?? ''),
      ' ',
      describeAlert(a),
    ),
    h('code', { class: 'alert-id' }, a.id),
  );
}
