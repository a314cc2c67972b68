/**
 * `GET /v1/live`: the derived facts of every projection batch as server-sent events, so a
 * page can update without polling. One SSE event per fact: `id:` `<log position>-<index in
 * the batch>`, `event:` the fact's kind, `data:` the fact as JSON. A partner key receives only
 * the facts of its own channel (and `MonthClosed`, which carries no figure).
 *
 * A client that reconnects with `Last-Event-ID` (an event's id, or a snapshot's
 * `x-chanperf-position`) first gets the facts it missed from this process's recent history
 * (liveHistory.ts); when they are no longer known it gets one `reset` event (`data:` the last
 * position seen) and re-reads the snapshots it shows. A stream whose client does not read
 * (more than MAX_BUFFERED bytes waiting) is closed rather than buffered without bound; the
 * client reconnects.
 */
import type { App, DerivedFact, Principal, Runtime } from '@chanperf/runtime';
import { errorSchema } from '@chanperf/runtime';
import { z } from 'zod';
import { READERS } from './context.js';
import { LiveHistory, type IdentifiedFact } from './liveHistory.js';

export const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED = 1024 * 1024;
const RETRY_MS = 3000;

export interface LiveOptions {
  /** Interval of the `: heartbeat` comment that keeps proxies from closing an idle stream. */
  readonly heartbeatMs?: number;
}

/** Whether a principal may see a fact: partners only their own channel's. */
export function visibleTo(principal: Principal, fact: DerivedFact): boolean {
  if (principal.role !== 'partner') return true;
  switch (fact.kind) {
    case 'MonthFiguresChanged':
      return fact.channelId === principal.channelId;
    case 'AlertRaised':
      return fact.alert.channelId === principal.channelId;
    case 'TierChanged':
      return fact.movement.channelId === principal.channelId;
    case 'MonthClosed':
      return true;
    default: {
      const never: never = fact;
      return never;
    }
  }
}

/** One fact as an SSE event (JSON has no raw newline, so `data:` is one line). */
export function sseEvent({ id, fact }: IdentifiedFact): string {
  return `id: ${id}\nevent: ${fact.kind}\ndata: ${JSON.stringify(fact)}\n\n`;
}

/** The route's options and OpenAPI description. */
function liveRouteOptions(heartbeatMs: number) {
  return {
    config: { roles: READERS },
    schema: {
      tags: ['query'],
      summary:
        'Server-sent events of derived facts (month figures changed, month closed, alert raised, tier changed)',
      description:
        'Each fact is one event: `id:` `<log position>-<index>`, `event:` kind (MonthFiguresChanged, MonthClosed, AlertRaised, ' +
        `TierChanged), \`data:\` the fact as JSON. A comment line every ${heartbeatMs / 1000} s keeps the stream open. ` +
        'Partner keys receive only their own channel’s facts. Event ids are `<log position>-<index>`; reconnect with ' +
        '`Last-Event-ID` to get the facts missed, or a `reset` event when they are no longer known (then re-read the snapshots).',
      response: {
        200: { content: { 'text/event-stream': { schema: z.string() } } },
        401: errorSchema,
        403: errorSchema,
      },
    },
  };
}

export function registerLiveRoute(
  app: App,
  runtime: Pick<Runtime, 'bus' | 'logger'>,
  options: LiveOptions = {},
): void {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const open = new Set<() => void>();
  const log = runtime.logger.child({ service: 'query', route: '/v1/live' });
  // Registered before any stream's listener (the bus calls them in order): each batch's facts
  // get their ids here, and every stream sends the identified batch.
  const history = new LiveHistory();
  let batch: { position: number; facts: readonly IdentifiedFact[] } | undefined;
  runtime.bus.on('projected', (position, facts) => {
    batch = { position, facts: history.add(position, facts) };
  });

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', () => {
    for (const close of [...open]) close();
    return Promise.resolve();
  });

  app.get('/v1/live', liveRouteOptions(heartbeatMs), (request, reply) => {
    const principal = request.principal;
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });

    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      runtime.bus.off('projected', onProjected);
      clearInterval(heartbeat);
      open.delete(close);
      if (!res.writableEnded) res.end();
    };
    const write = (chunk: string) => {
      if (closed) return;
      res.write(chunk);
      if (res.writableLength > MAX_BUFFERED) {
        log.warn({ role: principal.role }, 'live stream closed: the client does not read');
        close();
      }
    };
    const send = (facts: readonly IdentifiedFact[]) => {
      let chunk = '';
      for (const f of facts) if (visibleTo(principal, f.fact)) chunk += sseEvent(f);
      if (chunk !== '') write(chunk);
    };
    const onProjected = (position: number) => {
      if (batch?.position === position) send(batch.facts);
    };
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();

    open.add(close);
    res.on('close', close);
    res.on('error', close);
    write(`retry: ${RETRY_MS}\n: connected\n\n`);
    const lastEventId = request.headers['last-event-id'];
    if (typeof lastEventId === 'string') {
      const missed = history.since(lastEventId);
      if (missed === 'reset')
        write(`event: reset\ndata: ${JSON.stringify({ position: batch?.position ?? null })}\n\n`);
      else send(missed);
    }
    runtime.bus.on('projected', onProjected);
  });
}
