// @ts-check
/**
 * The page's only door to the server: JSON reads with the API key, who-am-I, and the live
 * stream of derived facts. The stream is read with fetch and a ReadableStream (not
 * EventSource) so that it carries the `Authorization` header like every other request.
 */

/** @typedef {import('./types.js').Session} Session */
/** @typedef {import('./types.js').Role} Role */
/** @typedef {import('./types.js').DerivedFact} DerivedFact */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string | null} key
 * @returns {Record<string, string>}
 */
function authHeaders(key) {
  return key === null ? {} : { authorization: `Bearer ${key}` };
}

/**
 * GET a JSON document; a non-2xx answer becomes an ApiError with the server's code.
 * @template T
 * @param {string | null} key
 * @param {string} path
 * @param {AbortSignal} [signal]
 * @returns {Promise<T>}
 */
export async function getJson(key, path, signal) {
  /** @type {RequestInit} */
  const init = { headers: { accept: 'application/json', ...authHeaders(key) }, cache: 'no-store' };
  if (signal !== undefined) init.signal = signal;
  const res = await fetch(path, init);
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = res.statusText;
    try {
      /** @type {unknown} */
      const json = await res.json();
      const body = /** @type {{ error?: { code?: string, message?: string } }} */ (json);
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message);
  }
  /** @type {unknown} */
  const json = await res.json();
  return /** @type {T} */ (json);
}

/**
 * Who a key is. Asks `GET /v1/me` (`{ role, channelId? }`); a server without that route (404)
 * is probed instead: `GET /v1/channels` answers 200 to analysts and admins and 403 to
 * partners, who must then say which channel is theirs (`channelHint`, checked by reading it).
 *
 * Resolves to a session, or to `{ needChannel: true }` for a partner key without a hint.
 * @param {string | null} key
 * @param {string} [channelHint]
 * @returns {Promise<Session | { needChannel: true }>}
 */
export async function whoAmI(key, channelHint) {
  try {
    const me = /** @type {{ role: Role, channelId?: string | null }} */ (await getJson(key, '/v1/me'));
    if (me.role === 'partner') {
      if (typeof me.channelId !== 'string')
        throw new ApiError(500, 'BAD_ME', 'a partner key without a channel');
      return { key, role: 'partner', channelId: me.channelId };
    }
    return { key, role: me.role };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  try {
    await getJson(key, '/v1/channels');
    return { key, role: 'analyst' };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 403) throw err;
  }
  if (channelHint === undefined || channelHint === '') return { needChannel: true };
  try {
    await getJson(key, `/v1/channels/${encodeURIComponent(channelHint)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403)
      throw new ApiError(
        403,
        'NOT_YOUR_CHANNEL',
        'this key does not read that channel: check the channel id',
      );
    throw err;
  }
  return { key, role: 'partner', channelId: channelHint };
}

/** @typedef {'connecting' | 'connected' | 'reconnecting' | 'denied' | 'closed'} LiveState */

/**
 * Parses a text/event-stream incrementally. Feed it decoded chunks; it calls `onEvent` per
 * complete event and `onComment` per comment line.
 */
export class SseParser {
  /**
   * @param {(event: { event: string, data: string, id: string | null }) => void} onEvent
   * @param {(comment: string) => void} onComment
   * @param {(ms: number) => void} onRetry
   */
  constructor(onEvent, onComment, onRetry) {
    this.onEvent = onEvent;
    this.onComment = onComment;
    this.onRetry = onRetry;
    this.buffer = '';
    this.event = '';
    /** @type {string[]} */
    this.data = [];
    /** @type {string | null} */
    this.id = null;
  }

  /** @param {string} chunk */
  push(chunk) {
    this.buffer += chunk;
    for (;;) {
      const nl = this.buffer.search(/\r\n|\n|\r/);
      if (nl < 0) return;
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (this.buffer[nl] === '\r' && nl === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, nl);
      const width = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + width);
      this.line(line);
    }
  }

  /** @param {string} line */
  line(line) {
    if (line === '') {
      if (this.data.length > 0)
        this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) {
      this.onComment(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry(Number(value));
  }
}

/**
 * Keeps `GET /v1/live` open, reconnecting after the server's `retry:` delay. Facts are not
 * replayed on reconnect: `onState('connected')` tells the page to re-read its snapshots.
 * @param {string | null} key
 * @param {{ onFact: (fact: DerivedFact) => void, onState: (state: LiveState) => void }} handlers
 * @returns {{ close: () => void }}
 */
export function openLive(key, handlers) {
  let stopped = false;
  let retryMs = 3000;
  const abort = new AbortController();

  /** @param {number} ms */
  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });

  const run = async () => {
    while (!stopped) {
      handlers.onState('connecting');
      try {
        const res = await fetch('/v1/live', {
          headers: { accept: 'text/event-stream', ...authHeaders(key) },
          cache: 'no-store',
          signal: abort.signal,
        });
        if (res.status === 401 || res.status === 403) {
          handlers.onState('denied');
          return;
        }
        if (!res.ok || res.body === null) throw new Error(`live: HTTP ${res.status}`);
        const parser = new SseParser(
          (e) => {
            try {
              /** @type {unknown} */
              const fact = JSON.parse(e.data);
              handlers.onFact(/** @type {DerivedFact} */ (fact));
            } catch (err) {
              console.warn('live: unreadable event', e.event, err);
            }
          },
          () => undefined,
          (ms) => {
            retryMs = ms;
          },
        );
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let announced = false;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(value);
          // The server writes `retry:` and `: connected` first: from then on, facts flow.
          if (!announced) {
            announced = true;
            handlers.onState('connected');
          }
        }
      } catch (err) {
        if (stopped) return;
        console.warn('live: stream interrupted', err);
      }
      if (stopped) return;
      handlers.onState('reconnecting');
      await pause(retryMs);
    }
  };
  void run();
  return {
    close() {
      stopped = true;
      abort.abort();
      handlers.onState('closed');
    },
  };
}
