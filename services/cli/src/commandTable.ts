/**
 * The commands of `chanperf`: each one's options, its help text, and how its module is loaded.
 * Loading is lazy (`import()`), so `--help`, `--version` and a usage error load neither the
 * engine nor Kafka, Fastify or prom-client: only the command that runs is imported.
 */
import type { CommandLine } from './commandLine.js';

type Option = { readonly type: 'string' } | { readonly type: 'boolean' };
/** Runs the command; a number it answers is the exit code (`verify-statement`), else 0. */
type Run = (commandLine: CommandLine) => Promise<unknown>;

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
    summary: 're-project the whole log beside the read model, then switch to it',
    text: 'Re-projects the whole log (the log is untouched) into a read model beside the current one,\nwhich keeps answering, and switches to the new one once it has caught up with the log;\nprints {position, seconds}. An interrupted rebuild is resumed by the next one.',
    optionHelp: `  --db PATH          the database\n  --wait S           seconds to wait for another rebuild of the database to end (default 60)\n${QUIET_HELP}`,
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
  // chanperf export / import (docs/eventstoredb.md, "Moving an embedded deployment")
  command({
    name: 'export',
    synopsis: 'export --db PATH [--eventstore URL] [--rejected FILE] [--quiet]',
    summary: 'write the log and its ledgers as NDJSON (for `chanperf import`)',
    text: "Writes the log of the embedded database, or of EventStoreDB with the node's local file, on\nstdout: a header (format, time zone, currency, head), every accepted entry in log order with\nits payload as stored, the rejected inputs (bytes in base64), the counts, the source\ncheckpoints, and a trailer (counts, SHA-256 of the lines before it).",
    optionHelp: `  --db PATH          the database; with --eventstore, the node's local file (ledgers)\n  --eventstore URL   read EventStoreDB (esdb://host:2113?tls=false) instead of the database\n  --rejected FILE    also write the rejected inputs alone to FILE (the export's own lines:\n                     code, message, source, line, bytes in base64), to correct and redrive\n${QUIET_HELP}`,
    options: { db: STRING, eventstore: STRING, rejected: STRING, quiet: BOOLEAN },
    load: async () => (await import('./commands/export.js')).exportCommand,
  }),
  command({
    name: 'import',
    synopsis: 'import FILE --db PATH [--eventstore URL] [--quiet]',
    summary: 'load a `chanperf export` file into an empty log (resumable)',
    text: 'Checks FILE whole (every line, the SHA-256), then appends the entries the target lacks,\nrecords the rejected inputs, counts and checkpoints once, and verifies the target equals\nthe file; prints {entries, appended, rejected, ledgers, checkpoints, changed, verified}.\nRefuses other settings, a target whose log is not a prefix of the file\'s, and a target with\ningestion ledgers of its own. Run again after a crash, it continues; run twice, it changes\nnothing ("changed": false).',
    optionHelp: `  --db PATH          the database (created when missing); with --eventstore, the node's\n                     local file, where the ledgers go\n  --eventstore URL   write to EventStoreDB (esdb://host:2113?tls=false) instead\n${QUIET_HELP}`,
    options: { db: STRING, eventstore: STRING, quiet: BOOLEAN },
    load: async () => (await import('./commands/import.js')).importCommand,
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
  // what-if programs (issue 18)
  command({
    name: 'whatif',
    synopsis: 'whatif --db PATH --program FILE [--from YYYY-MM] [--format table|json|xlsx] [--quiet]',
    summary: 'what the figures would have been under another program',
    text: 'Replays the log twice in memory, as it is and with the program replaced from a month on\n(the proposed ProgramPublished payload in FILE), and prints per partner and in total the\nrebates per month and quarter (actual, proposed, delta), the tier after each review, the\ngrowth statuses and alerts that change, and the program KPIs side by side. The database is\nonly read: its read model is never written.',
    optionHelp: `  --db PATH          the database\n  --program FILE     the proposed program (a ProgramPublished payload, JSON)\n  --from YYYY-MM     the first month it governs (default: its effectiveFrom)\n  --format F         table (default), json or xlsx (the workbook on stdout)\n${QUIET_HELP}`,
    options: { db: STRING, program: STRING, from: STRING, format: STRING, quiet: BOOLEAN },
    load: async () => (await import('./commands/whatif.js')).whatifCommand,
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
  // Partner statements (issue 18).
  command({
    name: 'statement',
    synopsis:
      'statement --db PATH --channel ID --quarter YYYY-Qn [--out DIR] [--format json|html|pdf] [--position N]',
    summary: "write a partner's quarterly statement (sealed JSON, HTML, PDF)",
    text: "Writes the partner's statement of the quarter, pinned to the log's head (or position N):\nstatement-<ID>-<quarter>-p<position>.json, sealed with the SHA-256 of its canonical JSON, and\nits printable HTML page (and a PDF from headless Chromium); prints {channelId, quarter,\nposition, sha256, files}.",
    optionHelp: `  --db PATH          the database
  --channel ID       the partner
  --quarter Q        the calendar quarter, YYYY-Qn
  --out DIR          where the files go (default .)
  --format F         json (the JSON only), html (JSON and HTML, default) or pdf (and a PDF,
                     printed by CHANPERF_CHROMIUM, default /usr/bin/chromium)
  --position N       pin it to log position N (default the head)`,
    options: { db: STRING, channel: STRING, quarter: STRING, out: STRING, format: STRING, position: STRING },
    load: async () => (await import('./commands/statement.js')).statementCommand,
  }),
  command({
    name: 'verify-statement',
    synopsis: 'verify-statement FILE --db PATH',
    summary: 'check a statement: its seal, its figures at its position, what was restated since',
    text: "Checks the statement FILE: its SHA-256 against its figures (tampered: exit 4), its figures\nrecomputed at its pinned position (identical: exit 0; else each difference as path: old → new,\nexit 3), then what has been restated since, figure by figure, at the log's head.",
    optionHelp: '  --db PATH          the database',
    options: { db: STRING },
    load: async () => (await import('./commands/verifyStatement.js')).verifyStatementCommand,
  }),
];

const NAME_WIDTH = Math.max(...COMMANDS.map((c) => c.name.length));

export const USAGE = `usage: chanperf <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(NAME_WIDTH)} ${c.summary}`).join('\n')}

  chanperf <command> --help    the command's usage and options
  chanperf --version           the version

common options:
${COMMON_HELP}
`;
