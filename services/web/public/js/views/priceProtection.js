// @ts-check
/**
 * (v2) `#/price-protection`, for analysts: the program's price changes (GET /v1/price-changes)
 * and every partner's claims (GET /v1/claims), filtered by SKU and partner on the page; each
 * claim opens the events behind it. The partner page shows a partner's own claims.
 */
import { t } from '../i18n.js';
import { h, mount } from '../dom.js';
import { exportButtons } from '../exports.js';
import { money, monthLabel, sumAmounts } from '../format.js';
import { claimsTable } from './claims.js';
import { numCell, readFailure, table } from './v2common.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').PriceChangeReport} PriceChangeReport */
/** @typedef {import('../types.js').ClaimReport} ClaimReport */

/**
 * @param {HTMLElement} root
 * @param {ViewContext} ctx
 */
export function renderPriceProtection(root, ctx) {
  /** @type {{ changes: PriceChangeReport[] } | Error | undefined} */
  const changes = ctx.read('/v1/price-changes');
  /** @type {{ claims: ClaimReport[] } | Error | undefined} */
  const claims = ctx.read('/v1/claims');
  const title = h('h1', {}, t('Price protection'));
  if (changes === undefined || claims === undefined) {
    mount(
      root,
      title,
      h('p', { class: 'loading', role: 'status' }, t('Reading the price changes and claims…')),
    );
    return;
  }
  const failed = changes instanceof Error ? changes : claims instanceof Error ? claims : null;
  if (failed !== null) {
    mount(
      root,
      title,
      readFailure(failed, t('the price changes and claims')) ??
        h('p', { class: 'muted' }, t('This server does not publish price protection.')),
    );
    return;
  }
  if (changes instanceof Error || claims instanceof Error) return; // narrowed above
  if (changes.changes.length === 0) {
    mount(root, title, h('p', { class: 'muted', id: 'no-price-changes' }, t('No price change yet.')));
    return;
  }
  mount(root, title, changesSection(changes.changes), claimsSection(ctx, changes.changes, claims.claims));
}

/** @param {PriceChangeReport[]} changes */
function changesSection(changes) {
  return h(
    'section',
    { 'aria-labelledby': 'changes-title' },
    h('h2', { id: 'changes-title' }, t('Price changes')),
    exportButtons('/v1/price-changes'),
    table(
      { id: 'price-changes', caption: t('Price changes') },
      [
        [t('Change'), false],
        ['SKU', false],
        [t('Old unit price'), true],
        [t('New unit price'), true],
        [t('Effective at'), false],
        [t('Accrual month'), false],
        [t('Window'), true],
        [t('Protected'), false],
      ],
      changes.map((c) =>
        h(
          'tr',
          { 'data-change': c.changeId },
          h('th', { scope: 'row', class: 'mono', translate: 'no' }, c.changeId),
          h('td', { translate: 'no' }, c.sku),
          numCell('oldUnitPrice', c.oldUnitPrice, money(c.oldUnitPrice)),
          numCell('newUnitPrice', c.newUnitPrice, money(c.newUnitPrice)),
          h('td', { class: 'mono' }, c.effectiveAt),
          h('td', {}, monthLabel(c.month)),
          numCell(
            'windowDays',
            c.windowDays,
            c.windowDays === null ? '—' : t('{n} days', { n: c.windowDays }),
          ),
          h(
            'td',
            { 'data-protected': c.protected ? 'true' : 'false' },
            c.protected ? t('yes: a price cut') : h('span', { class: 'muted' }, t('no claims (not a cut)')),
          ),
        ),
      ),
    ),
  );
}

/**
 * @param {ViewContext} ctx
 * @param {PriceChangeReport[]} changes
 * @param {ClaimReport[]} all
 */
function claimsSection(ctx, changes, all) {
  const f = ctx.state.ui.claimFilters;
  const skus = [...new Set([...changes.map((c) => c.sku), ...all.map((c) => c.sku)])].sort();
  const partners = [...new Set(all.map((c) => c.channelId))].sort();
  const shown = all.filter(
    (c) => (f.sku === '' || c.sku === f.sku) && (f.channelId === '' || c.channelId === f.channelId),
  );
  /**
   * @param {'sku' | 'channelId'} name
   * @param {string} label
   * @param {string[]} values
   */
  const select = (name, label, values) =>
    h(
      'label',
      { class: 'filter' },
      label,
      h(
        'select',
        {
          name,
          'data-focus': `claims-filter:${name}`,
          onchange: (e) => {
            f[name] = /** @type {HTMLSelectElement} */ (e.target).value;
            ctx.rerender();
          },
        },
        h('option', { value: '' }, t('all')),
        values.map((v) => h('option', { value: v, selected: f[name] === v }, v)),
      ),
    );
  const filters = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': t('Filter claims'),
      onsubmit: (e) => e.preventDefault(),
    },
    select('sku', 'SKU', skus),
    select('channelId', t('Partner'), partners),
    h(
      'span',
      { class: 'count', role: 'status' },
      t('{n} of {total} claims · credit {credit}', {
        n: shown.length,
        total: all.length,
        credit: money(sumAmounts(shown.map((c) => c.credit))),
      }),
    ),
  );
  return h(
    'section',
    { 'aria-labelledby': 'claims-title' },
    h('h2', { id: 'claims-title' }, t('Claims')),
    exportButtons('/v1/claims'),
    h(
      'p',
      { class: 'hint' },
      t(
        'A partner’s claim on a price cut: the units bought in the window before it, less their returns, capped by the units on hand when it took effect, at the difference in unit price. Select “Explain” for the events behind a claim.',
      ),
    ),
    filters,
    all.length === 0
      ? h('p', { class: 'muted' }, t('No claim: no partner bought a protected SKU in its window.'))
      : claimsTable(ctx, shown, { id: 'claims-table', partners: true }),
  );
}
