/**
 * Partner statements as documents (issue 18): a statement of the domain (`buildStatement`) at a
 * log position, sealed with the SHA-256 of its canonical JSON; checking a seal; and the
 * comparison `verify-statement` makes. Shared by `chanperf statement`, `verify-statement` and
 * `GET /v1/channels/:id/statements/:quarter`, so they answer the same document for a position.
 */
import { createHash } from 'node:crypto';
import {
  buildStatement,
  canonicalJson,
  diffFigures,
  MonthClock,
  parseQuarter,
  type DeploymentSettings,
  type FigureChange,
  type ProjectionState,
  type Statement,
} from '@chanperf/domain';
import { statementStateAt, type ChannelLog, type EventLog, type Feed } from '@chanperf/engine';

/** How the hashed text is formed, as the seal states it. */
export const CANONICAL =
  'JSON of the document without "seal": UTF-8, no whitespace, keys sorted by UTF-16 code units, integers only (RFC 8785)';

export interface StatementSeal {
  readonly algorithm: 'SHA-256';
  readonly canonical: string;
  readonly sha256: string;
}

export type SealedStatement = Statement & { readonly seal: StatementSeal };

/** Where statements are computed from: the log (its head and entries), the channel log, the settings. */
export interface StatementSource {
  readonly log: Feed & Pick<EventLog, 'head'>;
  readonly channelLog: ChannelLog;
  readonly settings: DeploymentSettings;
}

/** Why there is no statement. */
export interface NoStatement {
  readonly code: 'BAD_REQUEST' | 'UNKNOWN_CHANNEL' | 'NO_FIGURES';
  readonly message: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function sealStatement(statement: Statement): SealedStatement {
  return {
    ...statement,
    seal: { algorithm: 'SHA-256', canonical: CANONICAL, sha256: sha256(canonicalJson(statement)) },
  };
}

/** The document without its seal (what the seal's hash is of). */
export function unsealed(document: object): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...document };
  delete rest['seal'];
  return rest;
}

/** Whether the document's figures are those its seal was made of; undefined when it has no seal. */
export function sealHolds(document: object): { stated: string; actual: string } | undefined {
  const seal = (document as { seal?: unknown }).seal as { sha256?: unknown } | undefined;
  if (typeof seal?.sha256 !== 'string') return undefined;
  return { stated: seal.sha256, actual: sha256(canonicalJson(unsealed(document))) };
}

/**
 * The sealed statement of `channelId`'s `quarter` at log `position` (default: the head), or why
 * there is none. The state is the read model's when `snapshot` is at that position, else the
 * log's first `position` events projected (statementStateAt): the same state either way.
 */
export async function statementAt(
  source: StatementSource,
  channelId: string,
  quarterText: string,
  position?: number,
  /** The read model as of a position: used, rather than a replay, when it is the position asked for. */
  snapshot?: { readonly state: ProjectionState; readonly position: number },
): Promise<SealedStatement | NoStatement> {
  const quarter = parseQuarter(quarterText);
  if (quarter === undefined)
    return { code: 'BAD_REQUEST', message: `not a quarter: ${quarterText} (expected YYYY-Qn)` };
  const head = await source.log.head();
  if (position !== undefined && position > head) {
    return { code: 'BAD_REQUEST', message: `position ${position} is beyond the log's head (${head})` };
  }
  const wanted = position ?? head;
  const at =
    snapshot?.position === wanted ? snapshot : await statementStateAt(source.log, source.settings, wanted);
  const channel = at.state.channels.get(channelId);
  if (channel === undefined) {
    return { code: 'UNKNOWN_CHANNEL', message: `no channel ${channelId} at log position ${at.position}` };
  }
  const log = source.channelLog;
  const statement = buildStatement({
    state: at.state,
    position: at.position,
    channel,
    quarter,
    settings: source.settings,
    clock: new MonthClock(source.settings.timeZone),
    events: () => ({
      promotions: log.promotions(at.position),
      money: { [Symbol.iterator]: () => log.moneyEvents(channelId, at.position) },
      latestSaleBefore: (orderId, sku, before) => log.latestSaleBefore(channelId, orderId, sku, before),
    }),
  });
  if (statement === undefined) {
    return {
      code: 'NO_FIGURES',
      message: `channel ${channelId} has no month of ${quarterText} at log position ${at.position}`,
    };
  }
  return sealStatement(statement);
}

export function isStatement(x: SealedStatement | NoStatement): x is SealedStatement {
  return 'seal' in x;
}

/** The figures of `b` that differ from `a`'s, the seal and the position aside. */
export function statementChanges(a: object, b: object): FigureChange[] {
  const figures = (d: object) => ({ ...unsealed(d), position: undefined });
  return diffFigures(figures(a), figures(b));
}
