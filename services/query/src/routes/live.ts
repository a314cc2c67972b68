/**
 * `GET /v1/live`: the derived facts of every projection batch as server-sent events, so a
 * page can update without polling. One SSE event per fact: `id:` the log position of the
 * batch, `event:` the fact's kind, `data:` the fact as JSON. A partner key receives only the
 * facts of its own channel (and `MonthClosed`, which carries no figure).
 *
 * Facts are not stored, so there is no replay from `Last-Event-ID`: a client that reconnects
 * re-reads the snapshots it shows (they carry `x-chanperf-position`) and goes on from there.
 * A stream whose client does not read (more than MAX_BUFFERED bytes waiting) is closed rather
 * than buffered without bound; the client reconnects.
 */
import type { App, DerivedFact, Principal, Runtime } from '@chanperf/runtime';
import { errorSchema } from '@chanperf/runtime';
import { z } from 'zod';
import { READERS } from './context.js';

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
export function sseEvent(fact: DerivedFact): string {
  return `id: ${fact.position}\nevent: ${fact.kind}\ndata: ${JSON.stringify(fact)}\n\n`;
}

export function registerLiveRoute(
  app: App,
  runtime: Pick<Runtime, 'bus' | 'logger'>,
  options: LiveOptions = {},
): void {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const open = new Set<() => void>();
  const log = runtime.logger.child({ service: 'query', route: '/v1/live' });

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', () => {
    for (const close of [...open]) close();
    return Promise.resolve();
  });

  app.get(
    '/v1/live',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary:
          'Server-sent events of derived facts (month figures changed, month closed, alert raised, tier changed)',
        description:
          'Each fact is one event: `id:` log position, `event:` kind (MonthFiguresChanged, MonthClosed, AlertRaised, ' +
          `TierChanged), \`data:\` the fact as JSON. A comment line every ${heartbeatMs / 1000} s keeps the stream open. ` +
          'Partner keys receive only their own channel’s facts. No replay on reconnect: re-read the snapshots.',
        response: {
          200: { content: { 'text/event-stream': { schema: z.string() } } },
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    (request, reply) => {
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
      const onProjected = (_position: number, facts: readonly DerivedFact[]) => {
        let chunk = '';
        for (const fact of facts) if (visibleTo(principal, fact)) chunk += sseEvent(fact);
        if (chunk !== '') write(chunk);
      };
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      heartbeat.unref();

      runtime.bus.on('projected', onProjected);
      open.add(close);
      res.on('close', close);
      res.on('error', close);
      write(`retry: ${RETRY_MS}\n: connected\n\n`);
    },
  );
}
