/**
 * What the ERP consumer needs from the ingestion side: ingest a batch of records and, in
 * the SAME commit, record how far the partition got (the log's source checkpoint
 * `kafka:topic/partition`). That checkpoint is what makes redelivery harmless: records below
 * it are skipped before they reach the pipeline, so a redelivered record is counted neither
 * as a duplicate nor, if it was rejected, as a second rejection.
 */
import type { Ingestor, Outcome, RawInput, SourceCheckpoint } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';

/** The ingestion port of the ERP consumer. */
export interface ErpIngestion {
  /** Ingests `inputs` in order and commits them together with `checkpoint`; durable on return. */
  ingest(inputs: readonly RawInput[], checkpoint: SourceCheckpoint): Promise<readonly Outcome[]>;
  /**
   * Reloads the acceptance facts (registered channels, promotions, last closed month) from
   * the log: called when partitions move between instances that share a log, since the
   * other instance may have appended since this one loaded them.
   */
  refresh(): Promise<void>;
}

/** The part of `@chanperf/ingestion`'s service this adapter uses. */
export interface IngestionServiceLike {
  ingest(inputs: readonly RawInput[]): Promise<Outcome[]>;
}

/**
 * Adapts the ingestion service (`createIngestion` of `@chanperf/ingestion`, passed in by the
 * composition root: an adapter never imports a service) so that its commits carry the Kafka
 * checkpoint. The service keeps doing what it does for every input: metrics, waking the
 * projection, CHANPERF_AUTO_CLOSE_DAY.
 *
 * How: the service is created over a view of `runtime` whose ingestor adds the checkpoint to
 * the options of the calls made while {@link ErpIngestion.ingest} runs (calls are
 * serialized). Once the service's `ingest` accepts a checkpoint itself, this shrinks to
 * `(inputs, checkpoint) => service.ingest(inputs, { checkpoint })`.
 */
export function serviceErpIngestion(
  runtime: Runtime,
  createService: (runtime: Runtime) => IngestionServiceLike,
): ErpIngestion {
  let checkpoint: SourceCheckpoint | undefined;
  let wrapped: Promise<Ingestor> | undefined;
  const wrap = (real: Ingestor): Ingestor =>
    new Proxy(real, {
      get(target, prop) {
        if (prop === 'ingest') {
          const ingest: Ingestor['ingest'] = (inputs, options = {}) =>
            target.ingest(inputs, checkpoint === undefined ? options : { ...options, checkpoint });
          return ingest;
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const view: Runtime = Object.create(runtime, {
    ingestor: {
      value: () => (wrapped ??= runtime.ingestor().then(wrap)),
    },
  }) as Runtime;
  const service = createService(view);
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <R>(fn: () => Promise<R>): Promise<R> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    ingest: (inputs, cp) =>
      serialized(async () => {
        checkpoint = cp;
        try {
          return await service.ingest(inputs);
        } finally {
          checkpoint = undefined;
        }
      }),
    refresh: () => serialized(async () => (await runtime.ingestor()).init()),
  };
}

/**
 * The ERP port straight on the runtime's ingestor, without the service's metrics and
 * auto-close: for benchmarks and tools. It still wakes the projection ('appended').
 */
export function engineErpIngestion(runtime: Runtime): ErpIngestion {
  return {
    async ingest(inputs, checkpoint) {
      const ingestor = await runtime.ingestor();
      const outcomes = await ingestor.ingest(inputs, { checkpoint });
      runtime.bus.emit('appended', await runtime.store.log.head());
      return outcomes;
    },
    async refresh() {
      await (await runtime.ingestor()).init();
    },
  };
}
