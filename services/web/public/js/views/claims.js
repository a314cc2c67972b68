// @ts-check
/**
 * (v2) Price-protection claims as a table — change, SKU, accrual month, the units of the
 * window, on-hand and eligible units, unit credit, credit, the restated mark — in which each
 * claim opens its explanation (GET /v1/channels/:id/claims/:changeId/explain): the events
 * behind it, each with its signed units and credit, their sums (computed here exactly, in
 * minor units) and the steps from purchases to the credit.
 */
import { lang, plural, t } from '../i18n.js';
import { apiText } from '../apiText.js';
import { h } from '../dom.js';
import { compareAmounts, formatMinor, money, monthLabel, parseAmount, sumAmounts } from '../format.js';
import { numCell, partnerLink, readFailure, table } from './v2common.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').ClaimReport} ClaimReport */
/** @typedef {import('../types.js').ClaimExplain} ClaimExplain */

/**
 * @param {ClaimReport} c
 * @returns {string}
 */
const claimKey = (c) => `${c.channelId}/${c.changeId}`;

/** @type {Readonly<Record<ClaimExplain['lines'][number]['type'], string>>} */
const LINE_LABEL = {
  SaleRecorded: 'purchase',
  ReturnRecorded: 'return',
  InventoryReported: 'inventory report',
  INVENTORY_CAP: 'cut to units on hand',
};

/**
 * @param {ViewContext} ctx
 * @param {ClaimReport[]} claims
 * @param {{ id: string, partners: boolean }} o   `partners`: a column naming each claim's partner
 */
export function claimsTable(ctx, claims, o) {
  const open = ctx.state.ui.openClaims;
  /** @type {[string, boolean][]} */
  const columns = [
    ...(o.partners ? /** @type {[string, boolean][]} */ ([[t('Partner'), false]]) : []),
    [t('Change'), false],
    ['SKU', false],
    [t('Month'), false],
    [t('Purchased'), true],
    [t('Returned'), true],
    [t('Window units'), true],
    [t('On hand'), true],
    [t('Eligible units'), true],
    [t('Unit credit'), true],
    [t('Credit'), true],
    ['', false],
  ];
  const rows = claims.flatMap((c) => {
    const key = claimKey(c);
    const expanded = open.has(key);
    const row = h(
      'tr',
      { 'data-claim': key, class: expanded ? 'expanded' : null },
      o.partners ? h('td', {}, partnerLink(c.channelId)) : null,
      h('th', { scope: 'row', class: 'mono', translate: 'no' }, c.changeId),
      h('td', { translate: 'no' }, c.sku),
      h(
        'td',
        {},
        monthLabel(c.month),
        c.restated
          ? h(
              'small',
              { class: 'tag restated', title: t('events after the month closed changed it') },
              ' ',
              t('restated'),
            )
          : null,
      ),
      numCell('purchasedUnits', c.purchasedUnits, String(c.purchasedUnits)),
      numCell('returnedUnits', c.returnedUnits, String(c.returnedUnits)),
      numCell('windowUnits', c.windowUnits, String(c.windowUnits)),
      numCell('onHand', c.onHand, c.onHand === null ? t('no report') : String(c.onHand)),
      numCell('eligibleUnits', c.eligibleUnits, String(c.eligibleUnits)),
      numCell('unitCredit', c.unitCredit, money(c.unitCredit)),
      numCell('credit', c.credit, h('strong', {}, money(c.credit))),
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            'aria-expanded': expanded ? 'true' : 'false',
            'aria-label': t(
              expanded
                ? 'Hide the events of {id}’s claim on {change}'
                : 'Explain the events of {id}’s claim on {change}',
              { id: c.channelId, change: c.changeId },
            ),
            'data-focus': `claim:${o.id}:${key}`,
            onclick: () => {
              if (expanded) open.delete(key);
              else open.add(key);
              ctx.rerender();
            },
          },
          expanded ? t('Hide') : t('Explain'),
        ),
      ),
    );
    if (!expanded) return [row];
    return [
      row,
      h(
        'tr',
        { class: 'claim-explain', 'data-explains': key },
        h('td', { colspan: columns.length }, claimExplain(ctx, c)),
      ),
    ];
  });
  const total = sumAmounts(claims.map((c) => c.credit));
  const foot = h(
    'tr',
    {},
    h('th', { scope: 'row', colspan: columns.length - 2 }, plural(claims.length, '{n} claim', '{n} claims')),
    numCell('credit', total, h('strong', {}, money(total))),
    h('td', {}),
  );
  return table({ id: o.id, caption: t('Price-protection claims'), cls: 'claims' }, columns, rows, foot);
}

/**
 * The events behind one claim, read when it is opened.
 * @param {ViewContext} ctx
 * @param {ClaimReport} c
 */
function claimExplain(ctx, c) {
  const path = `/v1/channels/${encodeURIComponent(c.channelId)}/claims/${encodeURIComponent(c.changeId)}/explain`;
  /** @type {ClaimExplain | Error | undefined} */
  const x = ctx.read(path);
  if (x === undefined) return h('p', { class: 'loading', role: 'status' }, t('Reading the events…'));
  if (x instanceof Error)
    return (
      readFailure(x, t('the events of this claim')) ??
      h('p', { class: 'muted' }, t('This server does not explain claims.'))
    );
  const units = x.lines.reduce((n, l) => n + l.units, 0);
  const credit = sumAmounts(x.lines.map((l) => l.credit)) ?? formatMinor(0n, parseAmount(x.credit).digits);
  const agrees = units === x.eligibleUnits && compareAmounts(credit, x.credit) === 0;
  return h(
    'div',
    { class: 'claim-why' },
    agrees
      ? null
      : h('p', { class: 'error', role: 'alert' }, t('Warning: the events do not add up to the claim.')),
    table(
      {
        caption: t('Events behind the claim of {channel} on {change}', {
          channel: c.channelId,
          change: c.changeId,
        }),
        cls: 'compact events',
      },
      [
        [t('Event'), false],
        [t('Type'), false],
        [t('Occurred at'), false],
        [t('Units'), true],
        [t('Credit'), true],
        [t('Note'), false],
      ],
      x.lines.map((l) =>
        h(
          'tr',
          { 'data-event': l.eventId ?? '', 'data-type': l.type },
          h(
            'td',
            { class: 'mono', translate: 'no' },
            l.eventId ?? h('span', { class: 'muted' }, t('no report')),
          ),
          h('td', {}, t(LINE_LABEL[l.type] ?? l.type)),
          h('td', { class: 'mono' }, l.occurredAt ?? '—'),
          numCell('units', l.units, signed(l.units)),
          numCell('credit', l.credit, money(l.credit)),
          apiText(l.note, 'td'),
        ),
      ),
      h(
        'tr',
        { class: 'sum' },
        h('th', { scope: 'row', colspan: 3 }, t('Σ (eligible units, credit)')),
        numCell('units', units, String(units)),
        numCell('credit', credit, h('strong', {}, money(credit))),
        h(
          'td',
          {},
          agrees
            ? t('= the claim’s {credit}', { credit: money(x.credit) })
            : t('the claim says {credit}', { credit: money(x.credit) }),
        ),
      ),
    ),
    h(
      'ol',
      { class: 'steps' },
      x.steps.map((s) =>
        h(
          'li',
          {},
          h('span', { class: 'label' }, apiText(s.label), ': '),
          h(
            'span',
            { class: 'mono', translate: 'no' },
            lang() === 'zh' ? s.value.replace(/\bnone\b/g, '无') : s.value,
          ),
        ),
      ),
    ),
  );
}

/** @param {number} n */
function signed(n) {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0';
}
