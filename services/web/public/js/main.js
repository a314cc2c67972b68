// @ts-check
/**
 * The page's entry point: sign-in, loading the snapshots a key may read, the live stream,
 * routing between the six views, and re-rendering when anything changes.
 *
 * An analyst (or admin) key reads the report, the channel list and the alerts. A partner key
 * reads only its own channel (`/v1/channels/:own`), its tier movements and alerts (scoped by
 * the server) and its own live facts: the page never asks for another channel, a list, the
 * report or the program totals with it.
 */
import { applyStatic, lang, plural, setLang, t } from './i18n.js';
import { ApiError, getJson, openLive, whoAmI } from './api.js';
import { h, mount } from './dom.js';
import { monthLabel } from './format.js';
import { listItemOf } from './channels.js';
import { loadChanged, noteFact, noteFull, takeReads } from './liveReads.js';
import { currentGeneration, nextGeneration, readOnDemand } from './reads.js';
import { emptyData, mergeAlerts, state } from './state.js';
import { renderAlerts } from './views/alerts.js';
import { renderPartner } from './views/partner.js';
import { renderPartners } from './views/partners.js';
import { renderPriceProtection } from './views/priceProtection.js';
import { renderProgram } from './views/program.js';
import { renderTrees } from './views/trees.js';
// what-if programs (issue 18)
import { renderWhatIf } from './views/whatif.js';

/** @typedef {import('./types.js').Session} Session */
/** @typedef {import('./types.js').Report} Report */
/** @typedef {import('./types.js').ChannelDetail} ChannelDetail */
/** @typedef {import('./types.js').ChannelListItem} ChannelListItem */
/** @typedef {import('./types.js').AlertLog} AlertLog */
/** @typedef {import('./types.js').TierMovement} TierMovement */
/** @typedef {import('./types.js').DerivedFact} DerivedFact */
/** @typedef {import('./state.js').ExplainField} ExplainField */

const KEY_STORAGE = 'chanperf.apiKey';
const CHANNEL_STORAGE = 'chanperf.channelId';
const ALERT_PAGE = 1000;

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: #${id} is missing`);
  return /** @type {T} */ (el);
}

const els = {
  login: byId('login'),
  loginForm: /** @type {HTMLFormElement} */ (byId('login-form')),
  keyInput: /** @type {HTMLInputElement} */ (byId('api-key')),
  channelField: byId('channel-field'),
  channelInput: /** @type {HTMLInputElement} */ (byId('channel-id')),
  loginError: byId('login-error'),
  nav: byId('nav'),
  session: byId('session'),
  who: byId('who'),
  liveStatus: byId('live-status'),
  signOut: byId('sign-out'),
  view: byId('view'),
  status: byId('status-line'),
  main: byId('main'),
};

/** @type {{ close: () => void } | null} */
let live = null;

// --- loading -------------------------------------------------------------------------------

/** @param {Session} session */
async function loadFigures(session) {
  const key = session.key;
  const data = state.data;
  if (session.role === 'partner' && session.channelId !== undefined) {
    const own = session.channelId;
    const [detail, moves] = await Promise.all([
      /** @type {Promise<ChannelDetail>} */ (getJson(key, `/v1/channels/${encodeURIComponent(own)}`)),
      /** @type {Promise<{ tierMovements: TierMovement[] }>} */ (getJson(key, '/v1/tier-movements')),
    ]);
    data.details = new Map([[own, detail]]);
    data.channels = [listItemOf(detail)];
    data.tierMovements = moves.tierMovements.filter((m) => m.channelId === own);
    data.program = null;
    data.counts = null;
    const closed = detail.months.filter((m) => m.closed);
    data.lastClosedMonth = closed[closed.length - 1]?.month ?? null;
  } else {
    const [report, list] = await Promise.all([
      /** @type {Promise<Report>} */ (getJson(key, '/v1/report')),
      /** @type {Promise<{ channels: ChannelListItem[] }>} */ (getJson(key, '/v1/channels')),
    ]);
    const regions = new Map(list.channels.map((c) => [c.channelId, c.region]));
    data.details = new Map(
      report.channels.map((c) => [c.channelId, { ...c, region: regions.get(c.channelId) ?? null }]),
    );
    data.channels = list.channels;
    data.program = report.program.months;
    data.tierMovements = report.tierMovements;
    data.counts = report.counts;
    data.lastClosedMonth = report.lastClosedMonth;
  }
}

/** Reads the alerts raised since the last read (every page of them). */
async function loadAlerts() {
  const session = state.session;
  if (session === null) return;
  for (;;) {
    const page = /** @type {AlertLog} */ (
      await getJson(session.key, `/v1/alerts?since=${state.data.alertsNext}&limit=${ALERT_PAGE}`)
    );
    mergeAlerts(page.alerts.map((a) => ({ alert: a.alert, seq: a.seq, live: false })));
    state.data.alertsNext = page.next;
    if (page.alerts.length < ALERT_PAGE) return;
  }
}

let refreshTimer = 0;
/** @type {Promise<void> | null} */
let refreshing = null;
let refreshAgain = false;

/** Re-reads the snapshots soon (facts come in bursts: one read per burst). */
function scheduleRefresh() {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void refresh(), 120);
}

async function refresh() {
  if (refreshing !== null) {
    refreshAgain = true;
    return;
  }
  const session = state.session;
  if (session === null) return;
  refreshing = (async () => {
    try {
      const channels = takeReads(session);
      await (channels === null
        ? Promise.all([loadFigures(session), loadAlerts()])
        : loadChanged(session, channels));
      state.data.loaded = true;
      generation = nextGeneration();
      state.ui.explanations.clear();
      state.ui.error = null;
      loadExplanation();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        signOut(t('The key is no longer accepted. Sign in again.'));
        return;
      }
      state.ui.error = err instanceof Error ? err.message : String(err);
    }
    render();
  })();
  await refreshing;
  refreshing = null;
  if (refreshAgain) {
    refreshAgain = false;
    scheduleRefresh();
  }
}

/** @param {DerivedFact} fact */
function onFact(fact) {
  if (fact.kind === 'AlertRaised') {
    const added = mergeAlerts([{ alert: fact.alert, live: true }]);
    if (added > 0 && route().name !== 'alerts') state.ui.unseenAlerts += added;
    render();
  }
  if (noteFact(fact)) scheduleRefresh();
}

// --- session -------------------------------------------------------------------------------

/** @param {Session} session */
function start(session) {
  state.session = session;
  state.data = emptyData();
  if (session.key !== null) sessionStorage.setItem(KEY_STORAGE, session.key);
  if (session.channelId !== undefined) sessionStorage.setItem(CHANNEL_STORAGE, session.channelId);
  els.login.hidden = true;
  live?.close();
  live = openLive(session.key, {
    onFact,
    onState: (s) => {
      state.live = s;
      renderChrome();
      // No replay after a reconnect: re-read the snapshots (also closes the gap at start).
      if (s === 'connected') {
        noteFull();
        scheduleRefresh();
      }
    },
  });
  render();
  noteFull();
  void refresh();
}

/** @param {string} [message] */
function signOut(message) {
  live?.close();
  live = null;
  sessionStorage.removeItem(KEY_STORAGE);
  sessionStorage.removeItem(CHANNEL_STORAGE);
  state.session = null;
  state.data = emptyData();
  state.ui.explain = null;
  state.ui.explanations.clear();
  state.ui.unseenAlerts = 0;
  state.live = 'off';
  showLogin(message ?? '');
}

/** @param {string} message */
function showLogin(message) {
  els.login.hidden = false;
  els.loginError.textContent = message;
  mount(els.view);
  renderChrome();
  els.keyInput.focus();
}

/** @param {unknown} err */
function describe(err) {
  if (err instanceof ApiError) {
    if (err.status === 401) return t('This key is not accepted.');
    return `${err.message} (${err.code})`;
  }
  return err instanceof Error ? err.message : String(err);
}

els.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = els.keyInput.value.trim();
  const channel = els.channelField.hidden ? undefined : els.channelInput.value.trim();
  els.loginError.textContent = '';
  whoAmI(key, channel).then(
    (who) => {
      if ('needChannel' in who) {
        els.channelField.hidden = false;
        els.channelInput.required = true;
        els.loginError.textContent = t('This is a partner key: enter the id of your channel.');
        els.channelInput.focus();
        return;
      }
      if (who.role === 'ingest') {
        els.loginError.textContent = t('This key may only post events; it cannot read figures.');
        return;
      }
      els.keyInput.value = '';
      els.channelInput.value = '';
      start(who);
    },
    (err) => {
      els.loginError.textContent = describe(err);
    },
  );
});

els.signOut.addEventListener('click', () => signOut());

// The language switch (中文 / English): the page is drawn again in the chosen language. It is
// reloaded rather than re-rendered, so labels computed once when a module loads follow too;
// the key (session storage) and the route (the hash) survive the reload.
for (const button of document.querySelectorAll('[data-lang]')) {
  const choice = button.getAttribute('data-lang');
  button.setAttribute('aria-pressed', String(choice === lang()));
  button.addEventListener('click', () => {
    if (choice !== 'zh' && choice !== 'en') return;
    if (choice === lang()) return;
    setLang(choice);
    location.reload();
  });
}

// --- routing and rendering -----------------------------------------------------------------

/**
 * @typedef {{ name: 'partners' } | { name: 'program' } | { name: 'alerts' } | { name: 'price-protection' } | { name: 'trees' } | { name: 'whatif' } | { name: 'channel', channelId: string }} Route
 */

/** @returns {Route} */
function route() {
  const session = state.session;
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [head = '', ...rest] = hash.split('/');
  /** @type {Route} */
  let r;
  if (head === 'channel' && rest[0] !== undefined && rest[0] !== '')
    r = { name: 'channel', channelId: decodeURIComponent(rest[0]) };
  else if (head === 'program') r = { name: 'program' };
  else if (head === 'alerts') r = { name: 'alerts' };
  else if (head === 'price-protection') r = { name: 'price-protection' };
  else if (head === 'trees') r = { name: 'trees' };
  else if (head === 'whatif') r = { name: 'whatif' };
  else r = { name: 'partners' };
  if (session?.role === 'partner' && session.channelId !== undefined) {
    // A partner sees its own channel and its alerts: nothing else is routed (the analysts'
    // views — partners, program, price protection, trees, what if — are not offered to it).
    if (r.name === 'alerts') return r;
    return { name: 'channel', channelId: session.channelId };
  }
  return r;
}

/** @param {string} hash */
function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

/**
 * Opens the events behind one figure of a channel-month.
 * @param {string} channelId
 * @param {string} month
 * @param {ExplainField} field
 */
function explain(channelId, month, field) {
  state.ui.explain = { channelId, month, field };
  render();
  document.getElementById('explain')?.scrollIntoView({ block: 'nearest' });
  loadExplanation();
}

/** The snapshot generation (reads.js): an explanation read before a newer one is stale. */
let generation = currentGeneration();
/** @type {Set<string>} */
const explaining = new Set();

/** Reads the explanation the open panel needs, unless it is known or on its way. */
function loadExplanation() {
  const open = state.ui.explain;
  const session = state.session;
  if (open === null || session === null) return;
  const cacheKey = `${open.channelId}/${open.month}`;
  const flight = `${generation}:${cacheKey}`;
  if (state.ui.explanations.has(cacheKey) || explaining.has(flight)) return;
  explaining.add(flight);
  const asOf = generation;
  const path = `/v1/channels/${encodeURIComponent(open.channelId)}/months/${encodeURIComponent(open.month)}/explain`;
  /** @param {import('./types.js').Explanation | Error} result */
  const settle = (result) => {
    explaining.delete(flight);
    if (asOf !== generation) return; // the figures moved on meanwhile: a newer read follows
    state.ui.explanations.set(cacheKey, result);
    render();
  };
  /** @type {Promise<import('./types.js').Explanation>} */ (getJson(session.key, path)).then(settle, (err) =>
    settle(err instanceof Error ? err : new Error(String(err))),
  );
}

/**
 * The answer of `GET path`, read when a view shows it (reads.js).
 * @template T
 * @param {string} path
 * @returns {T | Error | undefined}
 */
function read(path) {
  return readOnDemand(path, render);
}

/**
 * A channel's trainings as last read (undefined before the first read answers), and a read
 * of them if they predate the latest snapshots. Called by the partner page as it renders.
 * @param {string} channelId
 * @returns {import('./types.js').Trainings | Error | undefined}
 */
function trainingsOf(channelId) {
  return read(`/v1/channels/${encodeURIComponent(channelId)}/trainings`);
}

function closeExplain() {
  state.ui.explain = null;
  render();
}

/** Header: navigation for the key's role, who is signed in, the live stream's state. */
function renderChrome() {
  const session = state.session;
  els.session.hidden = session === null;
  els.nav.hidden = session === null;
  if (session === null) {
    mount(els.nav);
    els.liveStatus.dataset['state'] = 'off';
    return;
  }
  const current = route();
  /** @param {string} hash @param {string} label @param {boolean} active @param {import('./dom.js').Child} [extra] */
  const link = (hash, label, active, extra) =>
    h('a', { href: hash, 'aria-current': active ? 'page' : null, 'data-focus': `nav:${hash}` }, label, extra);
  const unseen = state.ui.unseenAlerts;
  const badge =
    unseen > 0
      ? h('span', { class: 'badge', 'aria-label': t('{n} new', { n: unseen }) }, String(unseen))
      : null;
  if (session.role === 'partner' && session.channelId !== undefined) {
    const own = `#/channel/${encodeURIComponent(session.channelId)}`;
    mount(
      els.nav,
      link(own, t('My channel'), current.name === 'channel'),
      link('#/alerts', t('Alerts'), current.name === 'alerts', badge),
    );
  } else {
    mount(
      els.nav,
      link('#/partners', t('Partners'), current.name === 'partners' || current.name === 'channel'),
      link('#/program', t('Program'), current.name === 'program'),
      link('#/price-protection', t('Price protection'), current.name === 'price-protection'),
      link('#/trees', t('Trees'), current.name === 'trees'),
      link('#/whatif', t('What if'), current.name === 'whatif'),
      link('#/alerts', t('Alerts'), current.name === 'alerts', badge),
    );
  }
  els.who.textContent =
    session.role === 'partner'
      ? t('partner {id}', { id: session.channelId ?? '' })
      : session.key === null
        ? t('open server')
        : t(session.role);
  const labels = {
    off: t('Live: off'),
    connecting: t('Live: connecting…'),
    connected: t('Live'),
    reconnecting: t('Live: reconnecting…'),
    denied: t('Live: not allowed'),
    closed: t('Live: closed'),
  };
  els.liveStatus.dataset['state'] = state.live;
  els.liveStatus.textContent = labels[state.live];
}

function renderStatusLine() {
  const d = state.data;
  /** @type {string[]} */
  const parts = [];
  if (d.lastClosedMonth !== null)
    parts.push(t('last closed month {m}', { m: monthLabel(d.lastClosedMonth) }));
  if (d.counts !== null)
    parts.push(
      [
        plural(d.counts.accepted, '{n} event accepted', '{n} events accepted'),
        plural(d.counts.duplicates, '{n} duplicate', '{n} duplicates'),
        t('{n} rejected', { n: d.counts.rejected }),
      ].join(t(', ')),
    );
  els.status.textContent = parts.join(' · ');
}

/** Renders everything from `state`, keeping keyboard focus on the same control. */
function render() {
  renderChrome();
  renderStatusLine();
  const session = state.session;
  if (session === null) return;
  const focused = document.activeElement?.getAttribute('data-focus') ?? null;
  const r = route();
  if (r.name === 'alerts') state.ui.unseenAlerts = 0;
  const ctx = { state, navigate, explain, closeExplain, trainingsOf, read, rerender: render };
  if (state.ui.error !== null && !state.data.loaded) {
    mount(
      els.view,
      h(
        'p',
        { class: 'error', role: 'alert' },
        t('Could not read the figures: {error}', { error: state.ui.error }),
      ),
    );
    return;
  }
  if (!state.data.loaded) {
    mount(els.view, h('p', { class: 'loading', role: 'status' }, t('Loading figures…')));
    return;
  }
  switch (r.name) {
    case 'partners':
      renderPartners(els.view, ctx);
      break;
    case 'channel':
      renderPartner(els.view, ctx, r.channelId);
      break;
    case 'program':
      renderProgram(els.view, ctx);
      break;
    case 'alerts':
      renderAlerts(els.view, ctx);
      break;
    case 'price-protection':
      renderPriceProtection(els.view, ctx);
      break;
    case 'trees':
      renderTrees(els.view, ctx);
      break;
    case 'whatif':
      renderWhatIf(els.view, ctx);
      break;
    default: {
      /** @type {never} */
      const never = r;
      throw new Error(`unknown route ${JSON.stringify(never)}`);
    }
  }
  if (state.ui.error !== null)
    els.view.prepend(
      h('p', { class: 'error', role: 'alert' }, t('Could not refresh: {error}', { error: state.ui.error })),
    );
  renderChrome();
  if (focused !== null) {
    const again = document.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
    if (again instanceof HTMLElement) again.focus();
    // A re-created text field gets its caret back at the end, where typing left it.
    if (again instanceof HTMLInputElement && (again.type === 'search' || again.type === 'text'))
      again.setSelectionRange(again.value.length, again.value.length);
  }
}

/** @typedef {{ state: typeof state, navigate: (hash: string) => void, explain: (channelId: string, month: string, field: ExplainField) => void, closeExplain: () => void, trainingsOf: (channelId: string) => import('./types.js').Trainings | Error | undefined, read: <T>(path: string) => T | Error | undefined, rerender: () => void }} ViewContext */

let lastRoute = '';
window.addEventListener('hashchange', () => {
  // Only `#/…` hashes are routes (the skip link's `#main` is not).
  if (!location.hash.startsWith('#/')) return;
  const r = JSON.stringify(route());
  if (r !== lastRoute) {
    lastRoute = r;
    state.ui.explain = null;
    render();
    els.main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
});

// --- start-up ------------------------------------------------------------------------------

async function boot() {
  applyStatic();
  lastRoute = JSON.stringify(route());
  const stored = sessionStorage.getItem(KEY_STORAGE);
  const storedChannel = sessionStorage.getItem(CHANNEL_STORAGE) ?? undefined;
  try {
    // A server without keys answers without one; else use the key of this tab, if any.
    const who = await whoAmI(stored, storedChannel);
    if ('needChannel' in who || who.role === 'ingest') throw new ApiError(401, 'UNAUTHORIZED', '');
    start(who);
  } catch (err) {
    if (stored !== null) sessionStorage.removeItem(KEY_STORAGE);
    showLogin(
      stored !== null && err instanceof ApiError && err.status === 401
        ? t('The saved key is no longer accepted.')
        : '',
    );
  }
}

void boot();
