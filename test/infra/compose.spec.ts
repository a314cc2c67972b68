/**
 * infra/ without Docker (none here): the compose file is validated and resolved by the Compose
 * CLI with `.env.example`; its four chanperf services are then started as the processes their
 * `command` and `environment` say (data directory, listen address and broker pointed at this
 * machine: a temporary directory, 127.0.0.1, the librdkafka mock cluster with the topics the
 * `kafka-topics` service creates, and CHANPERF_EVENTSTORE_URL the wire-level EventStoreDB
 * stand-in, which the real client reaches over gRPC); infra/README.md's "try it" requests are sent with the
 * example keys; and a real Prometheus scrapes them with the shipped prometheus.yml, loads the
 * shipped rules and evaluates every query of the Grafana dashboard.
 *
 * Not proven here: the images build and run (no Docker engine), Grafana renders the dashboard
 * (not packaged for Debian; its queries are what is checked), the EventStoreDB image itself
 * (packages/eventstoredb/src/testing/standIn.ts says what the stand-in does not prove).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectReportOverHttp,
  waitUntil,
  type ComparableReport,
} from '../../packages/testing/src/contracts/index.js';
import { EsdbStandIn } from '../../packages/eventstoredb/src/testing/standIn.js';
import { mockTarget, type RunningBroker } from '../kafka/support/brokers.js';
import { serveAsync, stopChild } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';
import { COMPOSE, compose, composeTopics, INFRA, resolvedConfig, type ComposeConfig } from './composeFile.js';
import {
  MONITORING,
  PROMETHEUS_SKIP,
  promtool,
  startPrometheus,
  type RunningPrometheus,
} from './prometheus.js';

const SERVICES = ['ingestion', 'projection', 'alerting', 'query'] as const;
type Service = (typeof SERVICES)[number];

const basic = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8');
const expected = JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as ComparableReport;
const counts = expected.counts as { accepted: number; rejected: number };

const composeSkip = 'skip' in COMPOSE ? COMPOSE.skip : undefined;
const stackSkip = composeSkip ?? mockTarget.skip;
for (const reason of [composeSkip, mockTarget.skip, PROMETHEUS_SKIP]) {
  if (reason !== undefined) console.warn(`infra tests: ${reason}`);
}

describe.skipIf(composeSkip !== undefined)('infra/compose.yaml, validated by the Compose CLI', () => {
  it('given no infra/.env, then compose refuses to start, naming CHANPERF_API_KEYS and .env.example', () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'chanperf-env-')), '.env');
    writeFileSync(empty, '');
    const out = compose(['--env-file', empty, 'config', '-q']);
    rmSync(dirname(empty), { recursive: true, force: true });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('set CHANPERF_API_KEYS in infra/.env');
    expect(out.stderr).toContain('.env.example');
  });

  it('given .env.example, then every service resolves, and none of ours restarts forever', () => {
    const config = resolvedConfig(join(INFRA, '.env.example'), ['monitoring']);
    expect(Object.keys(config.services).sort()).toEqual(
      [...SERVICES, 'kafka', 'kafka-topics', 'eventstoredb', 'prometheus', 'grafana'].sort(),
    );
    for (const name of [...SERVICES, 'prometheus', 'grafana']) {
      expect(config.services[name]?.restart, name).toMatch(/^on-failure:\d+$/);
    }
    for (const name of SERVICES) expect(config.services[name]?.command).toEqual(['serve', '--only', name]);
  });
});

describe.skipIf(PROMETHEUS_SKIP !== undefined)('infra/monitoring, checked by promtool', () => {
  it('the alert rules are valid and pass their unit tests (each alert fires, and stays silent on a healthy twin)', () => {
    const check = promtool(['check', 'rules', 'chanperf.rules.yml'], MONITORING);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 6 rules found');
    const unit = promtool(['test', 'rules', 'chanperf.rules.test.yml'], MONITORING);
    expect(unit.status, unit.stdout + unit.stderr).toBe(0);
  });
});

describe.skipIf(stackSkip !== undefined)('the compose services started without Docker', () => {
  let config: ComposeConfig;
  let broker: RunningBroker;
  const eventStore = new EsdbStandIn();
  let dir: string;
  const children: ChildProcess[] = [];
  const urls = new Map<Service, string>();
  let keys: { key: string; role: string }[];
  const keyOf = (role: string) => keys.find((k) => k.role === role)?.key ?? '';
  const bearer = (role: string) => ({ authorization: `Bearer ${keyOf(role)}` });

  beforeAll(async () => {
    config = resolvedConfig(join(INFRA, '.env.example'), []);
    keys = JSON.parse(config.services.query?.environment?.CHANPERF_API_KEYS ?? '[]') as typeof keys;
    dir = mkdtempSync(join(tmpdir(), 'chanperf-compose-'));
    broker = await mockTarget.start(composeTopics(config));
    await eventStore.start();
    const start = (name: Service) => {
      const service = config.services[name];
      const [verb, ...args] = service?.command ?? [];
      if (verb !== 'serve') throw new Error(`${name}: expected a serve command`);
      const { child, url } = serveAsync(args, {
        ...service?.environment,
        ...broker.env,
        CHANPERF_EVENTSTORE_URL: eventStore.connectionString,
        CHANPERF_DATA_DIR: dir,
        CHANPERF_HTTP_HOST: '127.0.0.1',
        CHANPERF_HTTP_PORT: '0',
      });
      children.push(child);
      return url.then((u) => void urls.set(name, u));
    };
    await start('ingestion'); // creates the files the others open
    await Promise.all([start('projection'), start('alerting'), start('query')]);
  });

  afterAll(async () => {
    await Promise.all(children.map(stopChild));
    await broker?.stop();
    eventStore.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const url = (name: Service) => urls.get(name) ?? '';

  it('infra/README.md\'s "try it": POST the feed with the ingest key, read the report with the analyst key', async () => {
    const events = `${url('ingestion')}/v1/events`;
    const ndjson = { 'content-type': 'application/x-ndjson' };
    expect((await fetch(events, { method: 'POST', headers: ndjson, body: basic })).status).toBe(401);
    const posted = await fetch(events, {
      method: 'POST',
      headers: { ...ndjson, ...bearer('ingest') },
      body: basic,
    });
    expect(posted.status).toBe(200);

    // The projection process catches up on its own; the query process reads its position.
    type Status = { log: { position: number }; projection: { position: number } };
    let status: Status | undefined;
    await waitUntil(
      async () => {
        const res = await fetch(`${url('query')}/v1/status`, { headers: bearer('analyst') });
        status = (await res.json()) as Status;
        return status.log.position > 0 && status.projection.position >= status.log.position;
      },
      () => `the projection never caught up: ${JSON.stringify(status)}`,
      30_000,
    );
    const report = `${url('query')}/v1/report`;
    expect((await fetch(report)).status).toBe(401);
    const res = await fetch(report, { headers: bearer('analyst') });
    expect(res.status).toBe(200);
    expectReportOverHttp((await res.json()) as ComparableReport, expected);
  });

  describe.skipIf(PROMETHEUS_SKIP !== undefined)('monitored by the shipped Prometheus configuration', () => {
    let prometheus: RunningPrometheus;
    beforeAll(async () => {
      const targets = SERVICES.map((s) => new URL(url(s)).host);
      prometheus = await startPrometheus(
        mkdtempSync(join(tmpdir(), 'chanperf-prom-')),
        targets,
        keyOf('admin'),
      );
      const check = promtool(['check', 'config', 'prometheus.yml'], prometheus.dir);
      expect(check.status, check.stdout + check.stderr).toBe(0);
    });
    afterAll(async () => {
      await prometheus?.stop();
      if (prometheus !== undefined) rmSync(prometheus.dir, { recursive: true, force: true });
    });

    const scalar = async (expr: string) => Number((await prometheus.query(expr)).result[0]?.value[1] ?? NaN);
    const settled = async (what: string, check: () => Promise<boolean>) =>
      waitUntil(
        async () => check().catch(() => false),
        () => `Prometheus: ${what}`,
        30_000,
      );

    it('scrapes all four services with the API key, and sees the accepted events of the feed', async () => {
      await settled('all four targets up', async () => (await scalar('sum(up{job="chanperf"})')) === 4);
      await settled(
        `${counts.accepted} events accepted`,
        async () => (await scalar('sum(chanperf_events_accepted_total)')) === counts.accepted,
      );
      expect(await scalar('sum(chanperf_events_rejected_total)')).toBe(counts.rejected);
    });

    it('loads the six alert rules and evaluates them without error', async () => {
      type Rules = { groups: { rules: { name: string; health: string }[] }[] };
      await settled('six rules evaluated, healthy', async () => {
        const rules = (await prometheus.get<Rules>('/api/v1/rules')).groups.flatMap((g) => g.rules);
        return rules.length === 6 && rules.every((r) => r.health === 'ok');
      });
    });

    it('answers every query of the Grafana dashboard, on metrics the services export', async () => {
      const dashboard = JSON.parse(
        readFileSync(join(MONITORING, 'grafana/dashboards/chanperf.json'), 'utf8'),
      ) as { panels: { title: string; targets: { expr: string }[] }[] };
      const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
      expect(exprs.length).toBeGreaterThanOrEqual(10);
      const exported = new Set(await prometheus.get<string[]>('/api/v1/label/__name__/values'));
      for (const { panel, expr } of exprs) {
        for (const name of expr.match(/\bchanperf_[a-z_]+\b/g) ?? [])
          expect(exported, `${panel}: ${name}`).toContain(name);
        // Grafana's $__rate_interval is at least four scrape intervals.
        await expect(
          prometheus.query(expr.replaceAll('$__rate_interval', '1m')),
          panel,
        ).resolves.toBeDefined();
      }
    });
  });
});
