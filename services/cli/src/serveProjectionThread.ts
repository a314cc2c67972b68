/**
 * One `serve`'s projection on a worker thread (CHANPERF_SERVE_PROJECTION_THREAD=worker, the
 * default; serveProjectionWorker.ts is the thread). The main thread keeps the HTTP server, the
 * ingestion, alerting and queries; the thread holds the projector's lease and writes the read
 * model, as `serve --only projection` does beside `serve --only ingestion` — on two cores the
 * two halves run side by side instead of taking turns. The queries read the read model as the
 * thread committed it (`Runtime.readModel`, reloaded when its position moves), as a `serve
 * --only query` does.
 *
 * This side is a {@link ProjectionService}: `ready` and `waitFor` are asked of the thread,
 * `leading` is what the thread last said. Appends of this process wake the thread (it also
 * polls the log, as any projector does); each batch's derived facts come back and go out on
 * this thread's bus. A thread that dies is started again after a backoff (1 s, doubling, at
 * most 30 s): a new one takes the lease over and resumes from the read model's checkpoint; until
 * it has, `ready` is false.
 */
import { Worker } from 'node:worker_threads';
import type { ProjectionService } from '@chanperf/projection';
import { chanperfVariables, RestartBackoff, type Runtime } from '@chanperf/runtime';
import type {
  FromProjectionThread,
  ServeProjectionData,
  ToProjectionThread,
} from './serveProjectionWorker.js';

/** The built thread: beside this module once compiled; from the sources (tests), its compiled copy. */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../dist/serveProjectionWorker.js', import.meta.url)
  : new URL('./serveProjectionWorker.js', import.meta.url);

export interface ProjectionThreadOptions {
  /** The CHANPERF_* variables, passed on (the thread reads its configuration from them). */
  readonly env: NodeJS.ProcessEnv;
  readonly maxLag: number;
  readonly what: string;
  /** How often the thread reports a change of lease or position (default 200 ms). */
  readonly statusMs?: number;
  /** The first restart's delay, doubled for each next one up to 30 s (default 1 000 ms). */
  readonly restartBackoffMs?: number;
  /** The thread's module (default the built serveProjectionWorker.js; tests pass a stand-in). */
  readonly workerUrl?: URL;
}

interface Call {
  readonly resolve: (value: boolean) => void;
  readonly reject: (err: Error) => void;
}

/** The projection service on its thread; `started` resolves once the thread has tried the lease. */
export interface ProjectionThreadService extends ProjectionService {
  /** Resolves at the thread's first message (the lease tried), or when it exits before. */
  started(): Promise<void>;
  /**
   * The read model's position as of the thread's last commit, while it holds the lease
   * (`Runtime.projectedPosition`); undefined while it stands by or is down.
   */
  projectedPosition(): number | undefined;
}

export function startProjectionThread(
  runtime: Pick<Runtime, 'bus' | 'logger'>,
  options: ProjectionThreadOptions,
): ProjectionThreadService {
  const data: ServeProjectionData = {
    env: chanperfVariables(options.env),
    what: options.what,
    maxLag: options.maxLag,
    logLevel: runtime.logger.level,
    statusMs: options.statusMs ?? 200,
  };
  return new ProjectionThread(runtime, data, {
    url: options.workerUrl ?? WORKER_URL,
    backoffMs: options.restartBackoffMs ?? 1000,
  });
}

class ProjectionThread implements ProjectionThreadService {
  private readonly log: Runtime['logger'];
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private lead = false;
  /** The thread's last commit's position, as it said; undefined until it said. */
  private position: number | undefined;
  private stopping = false;
  private restarts = 0;
  private readonly backoff: RestartBackoff;
  private restartTimer: NodeJS.Timeout | undefined;
  private worker: Worker | undefined;
  private heard!: () => void;
  private readonly first = new Promise<void>((resolve) => {
    this.heard = resolve;
  });
  private readonly onAppended = (position: number) =>
    this.worker?.postMessage({ type: 'appended', position });

  constructor(
    private readonly runtime: Pick<Runtime, 'bus' | 'logger'>,
    private readonly data: ServeProjectionData,
    private readonly thread: { readonly url: URL; readonly backoffMs: number },
  ) {
    this.log = runtime.logger.child({ service: 'projection' });
    this.backoff = new RestartBackoff(thread.backoffMs);
    runtime.bus.on('appended', this.onAppended);
    this.start();
  }

  started(): Promise<void> {
    return this.first;
  }

  /** Not ready while the thread is down, or while it cannot answer. */
  ready(): Promise<boolean> {
    return this.ask((id) => ({ type: 'ready', id })).catch(() => false);
  }

  leading(): boolean {
    return this.lead;
  }

  projectedPosition(): number | undefined {
    return this.lead ? this.position : undefined;
  }

  async waitFor(position?: number): Promise<void> {
    await this.ask((id) => ({ type: 'waitFor', id, position }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.runtime.bus.off('appended', this.onAppended);
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    const w = this.worker;
    if (w === undefined) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    await this.ask((id) => ({ type: 'stop', id })).catch((err: unknown) => {
      this.log.warn({ err }, 'the projection thread did not stop cleanly');
      void w.terminate();
    });
    await exited;
  }

  private start(): void {
    const w = new Worker(this.thread.url, { workerData: this.data });
    this.worker = w;
    w.on('message', (m: FromProjectionThread) => this.received(m));
    w.on('error', (err) => this.log.error({ err }, 'the projection thread failed'));
    w.on('exit', (code) => {
      if (this.worker === w) this.exited(code);
    });
  }

  /** The thread ended: its calls fail; unless stopping, another starts after a backoff. */
  private exited(code: number): void {
    this.heard();
    this.worker = undefined;
    this.position = undefined;
    this.lead = false;
    const gone = new Error(`the projection thread exited (code ${code})`);
    for (const call of this.calls.values()) call.reject(gone);
    this.calls.clear();
    if (this.stopping) return;
    const delay = this.backoff.next();
    this.restarts++;
    this.log.error(
      { code, delayMs: delay, restarts: this.restarts },
      'the projection thread exited: starting another',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.start();
    }, delay);
  }

  private received(m: FromProjectionThread): void {
    this.heard();
    this.lead = m.leading;
    switch (m.type) {
      case 'projected':
        this.position = Math.max(this.position ?? 0, m.position);
        this.runtime.bus.emit('projected', m.position, m.facts);
        return;
      case 'status':
        // A thread that took the lease over starts from the read model's checkpoint.
        if (m.leading) this.position = Math.max(this.position ?? 0, m.position);
        return;
      case 'answer':
      case 'failed': {
        const call = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (m.type === 'answer') call?.resolve(m.value);
        else call?.reject(new Error(m.message));
        return;
      }
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  private ask(message: (id: number) => ToProjectionThread): Promise<boolean> {
    const w = this.worker;
    if (w === undefined) return Promise.reject(new Error('the projection thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      w.postMessage(message(id));
    });
  }
}
