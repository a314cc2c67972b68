/** What the ingestion routes answer per item: accepted, duplicate, or rejected with its code. */
import { REJECTION_CODES } from '@chanperf/domain';
import type { Outcome } from '@chanperf/engine';
import { z } from 'zod';

export const outcomeSchema = z.object({
  index: z.number().describe('0-based position of the item in the body (blank NDJSON lines are skipped)'),
  eventId: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  code: z.enum(REJECTION_CODES).optional(),
  message: z.string().optional(),
});

export type ItemOutcome = z.infer<typeof outcomeSchema>;

/** The answer for the item at `index`; undefined for a blank line (skipped). */
export function toItem(index: number, o: Outcome): ItemOutcome | undefined {
  if (o.status === 'skipped') return undefined;
  if (o.status === 'rejected')
    return { index, eventId: o.eventId, status: 'rejected', code: o.code, message: o.message };
  return { index, eventId: o.eventId, status: o.status };
}
