// @ts-check
/**
 * What the page knows: the session, the latest snapshots read from the API, and the view
 * state (sorting, filters, the open `explain`). One mutable object, rendered from scratch by
 * the views whenever it changes.
 */

/** @typedef {import('./types.js').Session} Session */
/** @typedef {import('./types.js').ChannelListItem} ChannelListItem */
/** @typedef {import('./types.js').ChannelDetail} ChannelDetail */
/** @typedef {import('./types.js').ProgramMonth} ProgramMonth */
/** @typedef {import('./types.js').TierMovement} TierMovement */
/** @typedef {import('./types.js').FeedAlert} FeedAlert */
/** @typedef {import('./types.js').Explanation} Explanation */
/** @typedef {import('./api.js').LiveState} LiveState */

/**
 * The figures of a channel-month that can be explained.
 * @typedef {'sales' | 'returns' | 'net' | 'growth' | 'base' | 'growthBonus' | 'promotion' | 'volume' | 'total'} ExplainField
 */

/**
 * @typedef {object} Data
 * @property {boolean} loaded
 * @property {ChannelListItem[]} channels          by channelId
 * @property {Map<string, ChannelDetail>} details  with their months
 * @property {ProgramMonth[] | null} program       null when the key may not read program totals
 * @property {TierMovement[]} tierMovements        in the order they happened
 * @property {FeedAlert[]} alerts                  in the order raised
 * @property {number} alertsNext                   `since` for the next /v1/alerts read
 * @property {{ lines: number, accepted: number, duplicates: number, rejected: number } | null} counts
 * @property {string | null} lastClosedMonth
 * @property {string | null} position              log position of the last snapshot
 * @property {Map<string, { result: unknown, asOf: number }>} reads
 *   answers by API path, read on demand when a view shows them (reads.js); `asOf` is the snapshot generation
 *   it was read in (an older one stays shown while it is read again)
 */

/**
 * @typedef {object} Ui
 * @property {{ key: string, dir: 1 | -1 }} sort
 * @property {{ tier: string, kind: string, region: string, missed: boolean, text: string }} filters
 * @property {{ channelId: string, month: string, field: ExplainField } | null} explain
 * @property {Map<string, Explanation | Error>} explanations   by `channelId/month`
 * @property {Set<string>} openClaims   price-protection claims whose events are shown, by `channelId/changeId`
 * @property {{ sku: string, channelId: string }} claimFilters   the price-protection view's filters ('' = all)
 * @property {{ kind: string, month: string, channelId: string, tier: string, page: number }} alertFilters
 *   the alerts view's filters ('' = all) and the page shown (0 = newest)
 * @property {number} unseenAlerts
 * @property {string | null} error
 */

/**
 * @typedef {object} State
 * @property {Session | null} session
 * @property {Data} data
 * @property {Ui} ui
 * @property {LiveState | 'off'} live
 */

/** @returns {Data} */
export function emptyData() {
  return {
    loaded: false,
    channels: [],
    details: new Map(),
    program: null,
    tierMovements: [],
    alerts: [],
    alertsNext: 0,
    counts: null,
    lastClosedMonth: null,
    position: null,
    reads: new Map(),
  };
}

/** @type {State} */
export const state = {
  session: null,
  data: emptyData(),
  ui: {
    sort: { key: 'channelId', dir: 1 },
    filters: { tier: '', kind: '', region: '', missed: false, text: '' },
    explain: null,
    explanations: new Map(),
    openClaims: new Set(),
    claimFilters: { sku: '', channelId: '' },
    alertFilters: { kind: '', month: '', channelId: '', tier: '', page: 0 },
    unseenAlerts: 0,
    error: null,
  },
  live: 'off',
};

/**
 * Adds alerts to the feed, once per alert id (the stream and /v1/alerts may both bring one).
 * @param {FeedAlert[]} incoming
 * @returns {number} how many were new
 */
export function mergeAlerts(incoming) {
  let added = 0;
  for (const item of incoming) {
    const known = state.data.alerts.find((a) => a.alert.id === item.alert.id);
    if (known === undefined) {
      state.data.alerts.push(item);
      added++;
    } else if (item.seq !== undefined) {
      known.seq = item.seq;
    }
  }
  return added;
}
