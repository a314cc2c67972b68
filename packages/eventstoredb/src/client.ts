/** The part of the EventStoreDB client this package uses. */
import type { EventStoreDBClient } from '@eventstore/db-client';

export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

/** Structured logging as pino offers it (any pino `Logger` fits). */
export interface EsdbLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}
