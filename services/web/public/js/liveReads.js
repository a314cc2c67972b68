// @ts-check
/**
 * What the live facts ask the page to read again. A burst of `MonthFiguresChanged` facts names
 * the channels whose figures moved: for an analyst only those channels (`GET /v1/channels/:id`)
 * and the program's months (`GET /v1/program/months`) are read, not the whole report (1.15 MB
 * with hundreds of partners). Any other fact (a month closed, a tier changed), a
 * (re)connection, or a partner key's session reads every snapshot again, as before.
 */
import { getJson } from './api.js';
import { listItemOf } from './channels.js';
import { state } from './state.js';

/** @typedef {import('./types.js').DerivedFact} DerivedFact */
/** @typedef {import('./types.js').ChannelDetail} ChannelDetail */
/** @typedef {import('./types.js').ProgramMonth} ProgramMonth */
/** @typedef {import('./types.js').Session} Session */

/** @type {Set<string>} */
const changed = new Set();
let full = true;

/**
 * Notes what a fact asks to read again.
 * @param {DerivedFact} fact
 * @returns {boolean} whether anything needs reading (an alert alone is already in the feed)
 */
export function noteFact(fact) {
  if (fact.kind === 'AlertRaised') return false;
  if (fact.kind === 'MonthFiguresChanged') changed.add(fact.channelId);
  else full = true;
  return true;
}

/** Everything is to be read again (a (re)connection, a sign-in). */
export function noteFull() {
  full = true;
}

/**
 * What to read now, and forgets it: `null` for every snapshot, else the channels to read.
 * @param {Session} session
 * @returns {string[] | null}
 */
export function takeReads(session) {
  const channels = [...changed];
  const everything = full || !state.data.loaded || session.role === 'partner';
  changed.clear();
  full = false;
  return everything ? null : channels;
}

/**
 * Reads the named channels and the program's months, and puts them in place of the old ones.
 * @param {Session} session
 * @param {readonly string[]} channels
 */
export async function loadChanged(session, channels) {
  const [details, program] = await Promise.all([
    Promise.all(
      channels.map(
        (id) =>
          /** @type {Promise<ChannelDetail>} */ (
            getJson(session.key, `/v1/channels/${encodeURIComponent(id)}`)
          ),
      ),
    ),
    /** @type {Promise<{ months: ProgramMonth[] }>} */ (getJson(session.key, '/v1/program/months')),
  ]);
  const data = state.data;
  for (const detail of details) {
    const region = detail.region ?? data.details.get(detail.channelId)?.region ?? null;
    const updated = { ...detail, region };
    data.details.set(detail.channelId, updated);
    const item = listItemOf(updated);
    const at = data.channels.findIndex((c) => c.channelId === detail.channelId);
    if (at >= 0) data.channels[at] = item;
    else data.channels = [...data.channels, item].sort((a, b) => (a.channelId < b.channelId ? -1 : 1));
  }
  data.program = program.months;
}
