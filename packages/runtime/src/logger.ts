/**
 * The one way a chanperf process makes its logger (the CLI, its projection thread, `serve`):
 * pino lines on stderr, each with `service` once and an ISO 8601 `time`.
 *
 * `service` names the part that wrote the line: the process's own name (`cli`, `serve`,
 * `projection-worker`) unless a child logger names its part (`child({ service: 'http' })`). pino
 * writes a child's bindings after its parent's, so a `service` in both would appear twice in one
 * JSON object (which Elasticsearch rejects): the process's name is therefore not a base binding
 * but added to a line only when no binding names a service.
 *
 * CHANPERF_LOG_FORMAT=pretty hands the lines to pino-pretty (in this thread, synchronously) for a
 * person at a terminal; json (the default) is for a log shipper.
 *
 * Imported on its own (`@chanperf/runtime/logger`): neither Fastify nor the metrics load with it.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const { chindingsSym, streamSym } = pino.symbols;

export interface LoggerOptions {
  /** The process's name, on every line no child logger names a service for. */
  readonly service: string;
  readonly level: string;
  readonly format: LogFormat;
  /** Where the lines go (default: stderr, written synchronously). */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * The logger's destination: it writes each line through at once, except inside `gatherLines`,
 * where the lines are kept and written together, in one call, when the function returns. A
 * `serve` logging the 58 000 alerts of a 1M ingest made a write system call a line; with the
 * lines of each batch written together its CPU went from 23.25 to 22.77 s.
 */
class GatheringDestination implements DestinationStream {
  private gathered: string[] | undefined;

  constructor(private readonly inner: DestinationStream) {}

  write(line: string): void {
    if (this.gathered === undefined) this.inner.write(line);
    else this.gathered.push(line);
  }

  gather<T>(f: () => T): T {
    if (this.gathered !== undefined) return f(); // already gathering: the outer call writes
    this.gathered = [];
    try {
      return f();
    } finally {
      const lines = this.gathered;
      this.gathered = undefined;
      if (lines.length > 0) this.inner.write(lines.join(''));
    }
  }
}

/**
 * Runs `f`, whose log lines (through `log` or any logger sharing its destination) are written
 * together when it returns or throws, in one write — before whatever follows, so a line written
 * before a commit is still written before it. A logger not made by `createLogger` writes as
 * it always does.
 */
export function gatherLines<T>(log: Logger, f: () => T): T {
  const destination = (log as unknown as Record<symbol, unknown>)[streamSym];
  return destination instanceof GatheringDestination ? destination.gather(f) : f();
}

export function createLogger(o: LoggerOptions): Logger {
  const service = { service: o.service };
  return pino(
    {
      level: o.level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // `this` logger's bindings, serialised: `,"key":value…` (a value's own quotes are escaped).
      mixin: (_object, _level, logger) =>
        (logger as unknown as Record<symbol, string>)[chindingsSym]?.includes('"service":') === true
          ? {}
          : { ...service },
    },
    new GatheringDestination(destinationOf(o)),
  );
}

function destinationOf(o: LoggerOptions): DestinationStream {
  if (o.format === 'pretty') {
    // Loaded only when asked for: a JSON logger (the default) never reads pino-pretty.
    const require = createRequire(import.meta.url);
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return pretty({ destination: o.destination ?? 2, sync: true, ignore: 'pid,hostname' });
  }
  return o.destination ?? pino.destination({ dest: 2, sync: true });
}
