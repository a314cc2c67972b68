/**
 * infra/compose.yaml as Compose resolves it, for tests on a machine without Docker: the Compose
 * CLI (`docker-compose` 1.29 from Debian, or `docker compose`) validates the file against its
 * schema and interpolates the `.env` file without a Docker engine; Python's YAML module (a
 * dependency of docker-compose) turns the result into JSON.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const INFRA = fileURLToPath(new URL('../../infra/', import.meta.url));
export const COMPOSE_FILE = `${INFRA}compose.yaml`;

export interface ComposeService {
  readonly image?: string;
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly restart?: string;
  readonly profiles?: readonly string[];
}

export interface ComposeConfig {
  readonly services: Readonly<Record<string, ComposeService>>;
}

/** The Compose command line available here, or why there is none. */
function composeCli(): { readonly argv: readonly string[] } | { readonly skip: string } {
  for (const argv of [['docker-compose'], ['docker', 'compose']]) {
    const probe = spawnSync(argv[0] ?? '', [...argv.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return { argv };
  }
  return {
    skip: 'no Compose CLI (apt-get install docker-compose): the compose file cannot be validated here',
  };
}

export const COMPOSE = composeCli();

/** Runs `compose -f infra/compose.yaml ARGS…` with only `env` set (no CHANPERF_* of this shell). */
export function compose(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  if ('skip' in COMPOSE) throw new Error(COMPOSE.skip);
  const [cmd = '', ...rest] = COMPOSE.argv;
  return spawnSync(cmd, [...rest, '-f', COMPOSE_FILE, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
}

/** `compose config` with the given env file and profiles, as JSON. */
export function resolvedConfig(envFile: string, profiles: readonly string[]): ComposeConfig {
  const out = compose(['--env-file', envFile, ...profiles.flatMap((p) => ['--profile', p]), 'config']);
  if (out.status !== 0) throw new Error(`compose config failed: ${out.stderr}`);
  const json = spawnSync(
    'python3',
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: out.stdout, encoding: 'utf8' },
  );
  if (json.status !== 0) throw new Error(`YAML to JSON failed: ${json.stderr}`);
  return JSON.parse(json.stdout) as ComposeConfig;
}

/** The `topic:partitions` pairs the kafka-topics service creates. */
export function composeTopics(config: ComposeConfig): { name: string; partitions: number }[] {
  const script = (config.services['kafka-topics']?.command ?? []).join('\n');
  const spec = /for spec in ([^;]+);/.exec(script)?.[1] ?? '';
  return spec
    .trim()
    .split(/\s+/)
    .map((s) => {
      const [name = '', partitions = ''] = s.split(':');
      return { name, partitions: Number(partitions) };
    });
}
