// @ts-check
/**
 * The What-if view (analysts): starts from the program in effect (GET /v1/program/current),
 * lets the analyst edit the growth target, the growth bonus, each tier's thresholds and rebate
 * rate and each volume band in a form, runs the proposal (POST /v1/whatif, a worker on the
 * server) and shows what it would have changed (whatifResult.js). Rates are edited as
 * percentages with two decimals (exactly the program's basis points); amounts as the API
 * writes them. The draft and the last answer live here, so a refresh of the figures (live
 * facts re-render the page) keeps what was typed.
 */
import { ApiError } from '../api.js';
import { t } from '../i18n.js';
import { h, mount } from '../dom.js';
import { tierName } from '../format.js';
import { readFailure } from './v2common.js';
import { whatIfResult } from './whatifResult.js';

/** @typedef {import('../main.js').ViewContext} ViewContext */
/** @typedef {import('./whatifResult.js').WhatIfResult} WhatIfResult */
/**
 * @typedef {object} Program   a ProgramPublished payload (spec §3)
 * @property {string} programId
 * @property {string} effectiveFrom
 * @property {number} growthTargetBps
 * @property {number} growthBonusBps
 * @property {{ id: string, rebateBps: number, minTrailingNet: string, minCertifiedTrainees: number }[]} tiers
 * @property {{ minQuarterNet: string, rateBps: number }[]} volumeRebate
 */

const CURRENT = '/v1/program/current';

/** @type {{ draft: Program | null, from: string, running: boolean, result: WhatIfResult | null, error: string | null }} */
const ui = { draft: null, from: '', running: false, result: null, error: null };

/** Basis points as the form shows them: 1000 → "10.00". @param {number} bps */
const asPercent = (bps) => (bps / 100).toFixed(2);
/** The form's percentage back to basis points: "10.5" → 1050. @param {string} text */
const asBps = (text) => Math.round(Number(text) * 100);

/**
 * One labelled field of the form; `set` takes the typed text into the draft.
 * @param {string} key       stable id (focus, tests)
 * @param {string} label
 * @param {string} value
 * @param {(text: string) => void} set
 * @param {{ kind?: 'percent' | 'amount' | 'count' | 'month' }} [o]
 */
function field(key, label, value, set, o = {}) {
  const kind = o.kind ?? 'percent';
  return h(
    'label',
    { class: 'filter' },
    label,
    h('input', {
      type: kind === 'month' ? 'text' : 'number',
      inputmode: kind === 'month' ? 'numeric' : 'decimal',
      pattern: kind === 'month' ? '\\d{4}-\\d{2}' : null,
      step: kind === 'percent' || kind === 'amount' ? '0.01' : kind === 'count' ? '1' : null,
      min: kind === 'month' ? null : '0',
      name: key,
      value,
      'data-focus': `whatif:${key}`,
      oninput: (e) => set(/** @type {HTMLInputElement} */ (e.target).value),
    }),
  );
}

/** @param {Program} p */
function tierFields(p) {
  return p.tiers.map((tier, i) =>
    h(
      'fieldset',
      { class: 'whatif-group', 'data-tier': tier.id },
      h('legend', {}, h('span', { translate: 'no' }, tierName(tier.id))),
      field(`tier-${i}-rebate`, t('Rebate rate (%)'), asPercent(tier.rebateBps), (v) => {
        tier.rebateBps = asBps(v);
      }),
      i === 0
        ? null
        : [
            field(
              `tier-${i}-net`,
              t('Minimum trailing net'),
              tier.minTrailingNet,
              (v) => {
                tier.minTrailingNet = v;
              },
              { kind: 'amount' },
            ),
            field(
              `tier-${i}-certified`,
              t('Minimum certified trainees'),
              String(tier.minCertifiedTrainees),
              (v) => {
                tier.minCertifiedTrainees = Number(v);
              },
              { kind: 'count' },
            ),
          ],
    ),
  );
}

/** @param {Program} p */
function bandFields(p) {
  return p.volumeRebate.map((band, i) =>
    h(
      'fieldset',
      { class: 'whatif-group' },
      h('legend', {}, t('Volume band {n}', { n: i + 1 })),
      field(
        `band-${i}-net`,
        t('Minimum quarter net'),
        band.minQuarterNet,
        (v) => {
          band.minQuarterNet = v;
        },
        { kind: 'amount' },
      ),
      field(`band-${i}-rate`, t('Rate (%)'), asPercent(band.rateBps), (v) => {
        band.rateBps = asBps(v);
      }),
    ),
  );
}

/**
 * @param {ViewContext} ctx
 * @param {Program} p
 */
function form(ctx, p) {
  return h(
    'form',
    {
      id: 'whatif-form',
      'aria-label': t('Proposed program'),
      onsubmit: (e) => {
        e.preventDefault();
        void run(ctx);
      },
    },
    h(
      'div',
      { class: 'filters' },
      field(
        'from',
        t('From month'),
        ui.from,
        (v) => {
          ui.from = v.trim();
        },
        { kind: 'month' },
      ),
      field('target', t('Growth target (%)'), asPercent(p.growthTargetBps), (v) => {
        p.growthTargetBps = asBps(v);
      }),
      field('bonus', t('Growth bonus (%)'), asPercent(p.growthBonusBps), (v) => {
        p.growthBonusBps = asBps(v);
      }),
    ),
    h('div', { class: 'whatif-groups' }, tierFields(p), bandFields(p)),
    h(
      'p',
      { class: 'whatif-actions' },
      h(
        'button',
        { type: 'submit', id: 'whatif-run', disabled: ui.running, 'data-focus': 'whatif:run' },
        t('Run'),
      ),
      h(
        'button',
        { type: 'button', class: 'link', 'data-focus': 'whatif:reset', onclick: () => reset(ctx) },
        t('Start again from the current program'),
      ),
      h(
        'span',
        { role: 'status', class: 'muted' },
        ui.running ? t('Running the proposal over the log…') : '',
      ),
    ),
    ui.error === null ? null : h('p', { class: 'error', role: 'alert' }, ui.error),
  );
}

/** @param {ViewContext} ctx */
function reset(ctx) {
  ui.draft = null;
  ui.result = null;
  ui.error = null;
  ctx.rerender();
}

/** POSTs the draft; the answer (or its problem) is drawn when it comes. @param {ViewContext} ctx */
async function run(ctx) {
  const session = ctx.state.session;
  if (session === null || ui.draft === null) return;
  ui.running = true;
  ui.error = null;
  ctx.rerender();
  try {
    const body = { program: ui.draft, ...(ui.from === '' ? {} : { from: ui.from }) };
    ui.result = /** @type {WhatIfResult} */ (await postJson(session.key, '/v1/whatif', body));
  } catch (err) {
    ui.error =
      err instanceof ApiError
        ? t('The proposal could not be run: {error}', { error: `${err.message} (${err.code})` })
        : String(err);
  } finally {
    ui.running = false;
    ctx.rerender();
  }
}

/**
 * POST a JSON body, answer its JSON; a non-2xx answer becomes an ApiError with the server's code.
 * @param {string | null} key
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<unknown>}
 */
async function postJson(key, path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify(body),
  });
  /** @type {unknown} */
  const answer = await res.json().catch(() => ({}));
  const json = /** @type {{ error?: { code?: string, message?: string } }} */ (answer);
  if (!res.ok)
    throw new ApiError(
      res.status,
      json.error?.code ?? `HTTP_${res.status}`,
      json.error?.message ?? res.statusText,
    );
  return json;
}

/**
 * @param {HTMLElement} root
 * @param {ViewContext} ctx
 */
export function renderWhatIf(root, ctx) {
  const title = h('h1', {}, t('What if'));
  const intro = h(
    'p',
    { class: 'muted' },
    t(
      'What the figures would have been under another program: the log replayed as it is and with your proposal, side by side. Nothing is written.',
    ),
  );
  /** @type {Program | Error | undefined} */
  const current = ctx.read(CURRENT);
  if (current === undefined) {
    mount(
      root,
      title,
      intro,
      h('p', { class: 'loading', role: 'status' }, t('Reading the current program…')),
    );
    return;
  }
  if (current instanceof Error) {
    const none = current instanceof ApiError && current.code === 'NO_PROGRAM';
    mount(
      root,
      title,
      intro,
      none
        ? h('p', { class: 'muted' }, t('No program has been published yet.'))
        : readFailure(current, t('the current program')),
    );
    return;
  }
  if (ui.draft === null) {
    ui.draft = structuredClone(current);
    ui.from = current.effectiveFrom;
  }
  mount(root, title, intro, form(ctx, ui.draft), ui.result === null ? null : whatIfResult(ui.result));
}
