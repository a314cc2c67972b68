/**
 * The commands of `chanperf`: each one's options, its help text, and how its module is loaded.
 * Loading is lazy (`import()`), so `--help`, `--version` and a usage error load neither the
 * engine nor Kafka, Fastify or prom-client: only the command that runs is imported.
 */
import type { CommandLine } from './commandLine.js';

type Option = { readonly type: 'string' } | { readonly type: 'boolean' };
type Run = (commandLine: CommandLine) => Promise<void>;

export interface CommandSpec {
  readonly name: string;
  /** `chanperf NAME …`: the synopsis, and the one line of the command list. */
  readonly synopsis: string;
  readonly summary: string;
  /** What the command does, then its options (`  --flag …  what it does`). */
  readonly help: string;
  readonly options: Readonly<Record<string, Option>>;
  load(): Promise<Run>;
}

const STRING = { type: 'string' } as const;
const BOOLEAN = { type: 'boolean' } as const;

/** The options every command takes. */
export const COMMON_OPTIONS = { timezone: STRING, currency: STRING, help: BOOLEAN } as const;

const COMMON_HELP = `  --timezone TZ      reporting time zone (env CHANPERF_TIMEZONE, default Asia/Shanghai)
  --currency CUR     ISO 4217 currency (env CHANPERF_CURRENCY, default CNY)
  -h, --help         this help`;

const QUIET_HELP = `  --quiet            no progress on stderr (a terminal gets a refreshed line; otherwise one
                     summary log line at the end)`;

const command = (
  spec: Omit<CommandSpec, 'help'> & { readonly text: string; readonly optionHelp?: string },
): CommandSpec => ({
  name: spec.name,
  synopsis: spec.synopsis,
  summary: spec.summary,
  options: spec.options,
  load: spec.load,
  help: `usage: chanperf ${spec.synopsis}\n\n${spec.text}\n\noptions:\n${spec.optionHelp === undefined ? '' : `${spec.optionHelp}\n`}${COMMON_HELP}\n`,
});

export const COMMANDS: readonly CommandSpec[] = [
  command({
    name: 'replay',
    synopsis: 'replay FILE [--db PATH] [--quiet]',
    summary: 'run FILE through the pipeline, print the report (JSON)',
    text: 'Runs the NDJSON FILE through the whole pipeline (validation, log, projections, alerts) and\nprints the report on stdout. Without --db it uses a temporary database.',
    optionHelp: `  --db PATH          the database to use (created when missing)\n${QUIET_HELP}`,
    options: { db: STRING, quiet: BOOLEAN },
    load: async () => (await import('./commands/replay.js')).replayCommand,
  }),
  command({
    name: 'ingest',
    synopsis: 'ingest FILE --db PATH [--no-project] [--quiet]',
    summary: 'append FILE to the database (resumable) and project it',
    text: 'Appends the events of FILE to the database and projects them; prints {lines, accepted,\nduplicates, rejected, resumedFromLine, position}. Run again after a crash, it continues\nafter the last committed line.',
    optionHelp: `  --db PATH          the database (created when missing)\n  --no-project       only append; project later with \`chanperf project\`\n${QUIET_HELP}`,
    options: { db: STRING, 'no-project': BOOLEAN, quiet: BOOLEAN },
    load: async () => (await import('./commands/ingest.js')).ingestCommand,
  }),
  command({
    name: 'report',
    synopsis: 'report --db PATH [--as-of POSITION|INSTANT]',
    summary: 'print the report of what the database holds',
    text: 'Brings the read model up to the log head and prints the report (JSON) on stdout.\nWith --as-of, the report as the log stood at that position, or after the last commit\nappended at or before that RFC 3339 instant.',
    optionHelp:
      '  --db PATH          the database\n  --as-of AT         a log position or an RFC 3339 instant (2026-04-05T00:00:00Z)',
    options: { db: STRING, 'as-of': STRING },
    load: async () => (await import('./commands/report.js')).reportCommand,
  }),
  command({
    name: 'project',
    synopsis: 'project --db PATH [--quiet]',
    summary: 'bring the read model up to the log head',
    text: 'Projects the log up to its head; prints {position, seconds}.',
    optionHelp: `  --db PATH          the database\n${QUIET_HELP}`,
    options: { db: STRING, quiet: BOOLEAN },
    load: async () => (await import('./commands/report.js')).projectCommand,
  }),
  command({
    name: 'rebuild',
    synopsis: 'rebuild --db PATH [--wait S] [--quiet]',
    summary: 'drop the read model and re-project the whole log',
    text: 'Drops the read model and re-projects the whole log (the log is untouched); prints\n{position, seconds}. While another process projects, it waits for it to stop.',
    optionHelp: `  --db PATH          the database\n  --wait S           seconds to wait for another projector to stop (default 60)\n${QUIET_HELP}`,
    options: { db: STRING, wait: STRING, quiet: BOOLEAN },
    load: async () => (await import('./commands/report.js')).rebuildCommand,
  }),
  command({
    name: 'rejected',
    synopsis: 'rejected --db PATH [--after ID] [--limit N]',
    summary: 'list rejected inputs as NDJSON (raw input, code, message)',
    text: 'Lists rejected inputs as NDJSON: raw input, code, message, source and line.',
    optionHelp:
      '  --db PATH          the database\n  --after ID         only those after this id (default 0)\n  --limit N          at most N (default 1000)',
    options: { db: STRING, after: STRING, limit: STRING },
    load: async () => (await import('./commands/rejected.js')).rejectedCommand,
  }),
  command({
    name: 'demo',
    synopsis: 'demo [--seed N] [--partners N] [--dir DIR] [--quiet]',
    summary: 'generate a realistic feed, run it, print a summary',
    text: 'Generates a seeded, realistic feed, runs it through the pipeline and prints a summary.',
    optionHelp: `  --seed N           the feed's seed (default 42)\n  --partners N       partners in the feed (default 200)\n  --dir DIR          where the feed and the database go (default .chanperf)\n${QUIET_HELP}`,
    options: { seed: STRING, partners: STRING, dir: STRING, quiet: BOOLEAN },
    load: async () => (await import('./commands/demo.js')).demoCommand,
  }),
  command({
    name: 'serve',
    synopsis: 'serve [--only ingestion|projection|alerting|query]',
    summary: 'run the services (HTTP API, projection, alerting)',
    text: 'Runs the services until SIGINT or SIGTERM, configured by CHANPERF_* environment variables.\nIts stderr carries only JSON log lines (CHANPERF_LOG_FORMAT=pretty for a person).',
    optionHelp: '  --only NAME        run one service: ingestion, projection, alerting or query',
    options: { only: STRING },
    load: async () => (await import('./commands/serve.js')).serveCommand,
  }),
];

export const USAGE = `usage: chanperf <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

  chanperf <command> --help    the command's usage and options
  chanperf --version           the version

common options:
${COMMON_HELP}
`;
