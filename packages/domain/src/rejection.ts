/** Rejection codes of spec §2 "Acceptance and rejection", in the order the checks run. */
export const REJECTION_CODES = [
  'MALFORMED_JSON',
  'SCHEMA_VIOLATION',
  'CONFLICTING_DUPLICATE',
  'UNKNOWN_CHANNEL',
  'CHANNEL_EXISTS',
  'PROMOTION_EXISTS',
  'PRICE_CHANGE_EXISTS',
  'CURRENCY_MISMATCH',
  'PERIOD_CLOSED',
  'UNKNOWN_PARENT',
  'INVALID_PARENT',
  'PERIOD_NOT_ENDED',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** A business outcome, not an error: why an input was not appended. */
export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  /** The input's `eventId` when it was a string, else null. */
  readonly eventId: string | null;
}
