/**
 * The rejected store's limits: what a rejected input keeps (CHANPERF_REJECTED_MAX_BYTES_PER_ITEM)
 * and how many inputs the store holds before ingestion is refused (CHANPERF_REJECTED_MAX_TOTAL).
 */
import type { RawInput } from '@chanperf/engine';
import { sendError } from '@chanperf/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IngestionDeps } from './ingestionService.js';

/**
 * Caps what a rejected input keeps: beyond `max` bytes, the first ones (cut on a character
 * boundary) and a marker with the size. Validation still reads the whole text.
 */
export function capRaw(input: RawInput, max: number): RawInput {
  // Every UTF-16 unit is at most 3 bytes: most inputs need no measuring.
  if (input.bytes === undefined && input.text.length * 3 <= max) return input;
  const raw = input.bytes ?? Buffer.from(input.text, 'utf8');
  if (raw.length <= max) return input;
  let cut = max;
  while (cut > 0 && ((raw[cut] as number) & 0xc0) === 0x80) cut--;
  const marker = ` …[truncated: the first ${cut} of ${raw.length} bytes are kept]`;
  return { ...input, bytes: Buffer.concat([raw.subarray(0, cut), Buffer.from(marker, 'utf8')]) };
}

/** The marker `capRaw` appends: such a record cannot be redriven as it was. */
export const TRUNCATED = / …\[truncated: the first \d+ of \d+ bytes are kept\]$/;

/** 507 once the rejected store holds CHANPERF_REJECTED_MAX_TOTAL inputs: nothing is dropped silently. */
export function rejectedRoom(
  runtime: IngestionDeps,
): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  const { rejectedMaxTotal } = runtime.config;
  return async (_request, reply) => {
    const held = (await runtime.store.log.counts()).rejected;
    if (held < rejectedMaxTotal) return undefined;
    return sendError(
      reply,
      507,
      'REJECTED_STORE_FULL',
      `the rejected store holds ${held} inputs, its limit (CHANPERF_REJECTED_MAX_TOTAL=${rejectedMaxTotal}): ingestion is refused until the limit is raised`,
    );
  };
}
