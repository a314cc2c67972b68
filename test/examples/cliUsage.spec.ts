/**
 * The CLI's help: `--help` and `<command> --help` on stdout (exit 0), `--version`, usage errors
 * on stderr (exit 2), each command's own options; and `--help` loads no heavy dependency.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const COMMANDS = ['replay', 'ingest', 'report', 'project', 'rebuild', 'rejected', 'demo', 'serve'];
const basic = join(EXAMPLES, 'basic.ndjson');

/**
 * A `node --import` hook recording every module URL the ESM loader resolves, one
 * `resolved URL` line on stderr (CommonJS packages imported from ESM resolve through it).
 */
const RECORD_IMPORTS = `data:text/javascript,import{register}from"node:module";register("data:text/javascript,"+encodeURIComponent(\`import{writeSync}from"node:fs";export async function resolve(s,c,n){const r=await n(s,c);writeSync(2,"resolved "+r.url+"\\\\n");return r}\`));`;

const CLI = fileURLToPath(new URL('../../services/cli/dist/main.js', import.meta.url));

function resolvedBy(args: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const run = spawnSync(process.execPath, ['--import', RECORD_IMPORTS, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return run.stderr
    .split('\n')
    .filter((l) => l.startsWith('resolved '))
    .map((l) => l.slice('resolved '.length));
}

const HEAVY = /\/node_modules\/.*\b(kafkajs|fastify|prom-client)\//;

describe('chanperf --help', () => {
  it('lists every command on stdout, exit 0', () => {
    const run = chanperf(['--help']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    for (const c of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it.each(COMMANDS)('%s --help prints its usage and options on stdout, exit 0', (command) => {
    const run = chanperf([command, '--help']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^usage: chanperf ${command}\\b`));
    expect(run.stdout).toMatch(/^options:$/m);
    expect(chanperf(['help', command]).stdout).toBe(run.stdout);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../services/cli/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const run = chanperf(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`chanperf ${version}\n`);
  });

  it('without a command: the usage on stderr, exit 2', () => {
    const run = chanperf([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^usage: chanperf <command>/);
  });

  it.each([
    ['report', ['report', '--db', 'x.db', '--limit', '3'], '--limit'],
    ['replay', ['replay', basic, '--only', 'query'], '--only'],
    ['serve', ['serve', '--db', 'x.db'], '--db'],
  ])('%s given an option it does not take: a usage error naming it, exit 2', (command, args, option) => {
    const run = chanperf(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `chanperf: ${command}: unknown option ${option} (see chanperf ${command} --help)\n`,
    );
  });

  it('loads neither Kafka, Fastify nor prom-client for --help (a command that runs does)', () => {
    const help = resolvedBy(['--help']);
    expect(help.some((url) => url.endsWith('/commandTable.js'))).toBe(true);
    expect(help.filter((url) => HEAVY.test(url))).toEqual([]);
    expect(resolvedBy(['replay', '--help']).filter((url) => HEAVY.test(url))).toEqual([]);
    // Nor a bad --only, checked before the services' modules load.
    expect(resolvedBy(['serve', '--only', 'nothing']).filter((url) => HEAVY.test(url))).toEqual([]);
    // The hook sees them when they load: `serve --only query` (on this thread) imports them before
    // it reads the settings, which refuse a public host without keys (exit 2, nothing listens).
    const loaded = resolvedBy(['serve', '--only', 'query'], { CHANPERF_HTTP_HOST: '0.0.0.0' });
    expect(loaded.filter((url) => HEAVY.test(url))).not.toEqual([]);
  });
});
