// @ts-check
/**
 * (v2) The partner page's spec v2 panels, each read when the page shows and left out when
 * there is nothing to show (a v1 log): the channel's price-protection claims
 * (GET /v1/channels/:id/claims) and its satisfaction per quarter
 * (GET /v1/channels/:id/satisfaction). Targets (targets.js) and the tree (trees.js) have
 * modules of their own.
 */
import { t } from '../i18n.js';
import { h } from '../dom.js';
import { quarterLabel } from '../format.js';
import { claimsTable } from './claims.js';
import { numCell, onDemandSection, table } from './v2common.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('../types.js').ClaimReport} ClaimReport */
/** @typedef {import('../types.js').SatisfactionReport} SatisfactionReport */

/**
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @returns {HTMLElement | null}
 */
export function claimsPanel(ctx, channelId) {
  return onDemandSection(ctx, {
    id: 'claims',
    title: t('Price protection'),
    what: t('the claims'),
    path: `/v1/channels/${encodeURIComponent(channelId)}/claims`,
    /** @param {{ claims: ClaimReport[] }} found */
    isEmpty: (found) => found.claims.length === 0,
    /** @param {{ claims: ClaimReport[] }} found */
    body: (found) => [
      h(
        'p',
        { class: 'hint' },
        t('Credits for stock bought before a price cut. Select “Explain” for the events behind a claim.'),
      ),
      claimsTable(ctx, found.claims, { id: 'channel-claims', partners: false }),
    ],
  });
}

/**
 * @param {ViewContext} ctx
 * @param {string} channelId
 * @returns {HTMLElement | null}
 */
export function satisfactionPanel(ctx, channelId) {
  return onDemandSection(ctx, {
    id: 'satisfaction',
    title: t('Satisfaction'),
    what: t('the satisfaction surveys'),
    path: `/v1/channels/${encodeURIComponent(channelId)}/satisfaction`,
    /** @param {SatisfactionReport} found */
    isEmpty: (found) => found.quarters.length === 0,
    /** @param {SatisfactionReport} found */
    body: (found) =>
      table(
        { id: 'satisfaction-table', caption: t('Satisfaction per quarter') },
        [
          [t('Quarter'), false],
          [t('Surveys'), true],
          [t('Respondents'), true],
          [t('Average score'), true],
        ],
        found.quarters.map((q) =>
          h(
            'tr',
            { 'data-quarter': q.quarter },
            h('th', { scope: 'row' }, quarterLabel(q.quarter)),
            numCell('surveys', q.surveys, String(q.surveys)),
            numCell('respondents', q.respondents, String(q.respondents)),
            numCell('satisfactionAvg', q.satisfactionAvg, q.satisfactionAvg ?? t('no survey')),
          ),
        ),
      ),
  });
}
