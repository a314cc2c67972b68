// @ts-check
/**
 * Pieces the spec v2 views share: a section whose figures are read on demand (hidden while
 * there is nothing to show, as on a v1 log), the pace badge, and small tables.
 */
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../dom.js').Child} Child */
/** @typedef {import('../types.js').PaceStatus} PaceStatus */

/** @type {Readonly<Record<PaceStatus, string>>} */
export const PACE_LABEL = { ON_TRACK: 'on track', BEHIND: 'behind', OPEN: 'open' };
/** The growth-status colours the page already has: on track reads as met, behind as missed. */
const PACE_CLASS = { ON_TRACK: 'status-met', BEHIND: 'status-missed', OPEN: 'status-open' };

/**
 * A pace or commitment status (spec v2 targets).
 * @param {PaceStatus} status
 */
export function paceBadge(status) {
  return h('span', { class: `status ${PACE_CLASS[status]}`, 'data-pace': status }, t(PACE_LABEL[status]));
}

/**
 * Why a read failed, in words; null when the failure means "nothing to show here": the
 * server does not have the route (404 NOT_FOUND, an older server).
 * @param {Error} err
 * @param {string} what   e.g. "the claims"
 * @returns {HTMLElement | null}
 */
export function readFailure(err, what) {
  if (err instanceof ApiError && err.status === 404 && err.code === 'NOT_FOUND') return null;
  if (err instanceof ApiError && err.status === 403)
    return h('p', { class: 'muted', 'data-denied': 'true' }, t('This key may not read {what}.', { what }));
  return h(
    'p',
    { class: 'error', role: 'alert' },
    t('Could not read {what}: {error}', { what, error: err.message }),
  );
}

/**
 * @template T
 * @typedef {object} OnDemand
 * @property {string} id          the section's element id
 * @property {string} title
 * @property {string} what        for messages: "the claims"
 * @property {string} path        the API path read when the section shows
 * @property {(found: T) => boolean} isEmpty   nothing to show: the section is left out
 * @property {(found: T) => Child} body
 * @property {string} [cls]
 */

/**
 * A section of figures read on demand. Left out while the first read is on its way, and
 * hidden (`data-empty`) when there is nothing to show (a v1 log answers empty lists), so a
 * v1 page looks as before.
 * @template T
 * @param {ViewContext} ctx
 * @param {OnDemand<T>} o
 * @returns {HTMLElement | null}   null while the first read is on its way
 */
export function onDemandSection(ctx, o) {
  /** @type {T | Error | undefined} */
  const found = ctx.read(o.path);
  if (found === undefined) return null;
  // Nothing to show: an empty, hidden section says the read has answered.
  const empty = () => h('section', { id: o.id, hidden: true, 'data-empty': 'true' });
  /** @type {Child} */
  let body;
  if (found instanceof Error) {
    body = readFailure(found, o.what);
    if (body === null) return empty();
  } else {
    if (o.isEmpty(found)) return empty();
    body = o.body(found);
  }
  return h(
    'section',
    { id: o.id, class: `v2 ${o.cls ?? ''}`.trim(), 'aria-labelledby': `${o.id}-title` },
    h('h2', { id: `${o.id}-title` }, o.title),
    body,
  );
}

/**
 * A table with a header row; `num` columns are right-aligned.
 * @param {{ id?: string, caption: string, cls?: string }} o
 * @param {[string, boolean][]} columns   label, numeric
 * @param {Child} rows
 * @param {Child} [foot]
 */
export function table(o, columns, rows, foot) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `data ${o.cls ?? 'compact'}`, id: o.id ?? null },
      h('caption', { class: 'sr-only' }, o.caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map(([label, num]) => h('th', { scope: 'col', class: num ? 'num' : null }, label)),
        ),
      ),
      h('tbody', {}, rows),
      foot === undefined ? null : h('tfoot', {}, foot),
    ),
  );
}

/**
 * A numeric cell carrying the API's raw value in `data-value` (what the tests compare).
 * @param {string} field
 * @param {string | number | null} value
 * @param {Child} shown
 */
export function numCell(field, value, shown) {
  return h(
    'td',
    { class: 'num', 'data-field': field, 'data-value': value === null ? '' : String(value) },
    shown,
  );
}

/**
 * A link to a partner's page.
 * @param {string} channelId
 * @param {string} [label]
 */
export function partnerLink(channelId, label) {
  return h(
    'a',
    { href: `#/channel/${encodeURIComponent(channelId)}`, 'data-partner': channelId, translate: 'no' },
    label ?? channelId,
  );
}
