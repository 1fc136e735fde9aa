/**
 * End to end with real components: the fixture service runs under crashwatch (a supervisor that
 * counts its panics for Prometheus and records the request it died on); Prometheus (Debian's
 * package) scrapes the counter and fires an alert rule; Alertmanager (Debian's package) calls
 * `medic serve`'s webhook with a bearer token; the pipeline runs on BullMQ and PostgreSQL and
 * ends with a verified patch on a branch; the alert's resolution is recorded against the incident.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../service/db.js';
import { dropQueues, freePort, type MedicChild, startMedicProcess, until } from '../service/processes.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/incidents/nil-map-write');
/** Debian's prometheus and prometheus-alertmanager (`.ci/run` installs them). */
const missing = ['prometheus', 'prometheus-alertmanager'].filter((binary) => {
  try {
    execFileSync('sh', ['-c', 'command -v "$0"', binary], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0)
  process.stderr.write(
    `e2e skipped: ${missing.join(', ')} not installed (apt-get install ${missing.join(' ')})\n`,
  );
const TOKEN = 'e2e-webhook-token-42';
const REDIS_URL = process.env.MEDIC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `medic-e2e-${process.pid}`;
const processes: ChildProcess[] = [];
let dir: string;
let database: TestDatabase;
let medic: MedicChild;
const ports: Record<'proxy' | 'backend' | 'metrics' | 'prometheus' | 'alertmanager' | 'medic', number> = {
  proxy: 0,
  backend: 0,
  metrics: 0,
  prometheus: 0,
  alertmanager: 0,
  medic: 0,
};

function start(argv: string[], cwd: string): ChildProcess {
  const [command = '', ...args] = argv;
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.on('data', (c: Buffer) => {
    tail = (tail + c.toString('utf8')).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`${command} exited ${code}: ${tail}\n`);
  });
  processes.push(child);
  return child;
}

async function ready(url: string, init?: RequestInit): Promise<void> {
  await until(
    `${url} to answer`,
    async () => {
      const response = await fetch(url, init).catch(() => undefined);
      return response?.ok ? true : undefined;
    },
    60_000,
  );
}

const api = (path: string) =>
  fetch(`http://127.0.0.1:${ports.medic}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

beforeAll(async () => {
  if (missing.length > 0) return;
  dir = await mkdtemp(join(tmpdir(), 'medic-e2e-'));
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
  const src = join(dir, 'warehouse');
  const bin = join(dir, 'bin');
  const crashes = join(dir, 'crashes');
  await cp(join(FIXTURE, 'service'), src, { recursive: true });
  await mkdir(crashes, { recursive: true });
  // One build of each Go program: the service as the recorder builds it, and the supervisor.
  execFileSync('go', ['build', '-trimpath', '-o', join(bin, 'warehouse'), './cmd/server'], { cwd: src });
  execFileSync('go', ['build', '-o', join(bin, 'crashwatch'), '.'], {
    cwd: join(import.meta.dirname, 'crashwatch'),
  });
  start(
    [
      join(bin, 'crashwatch'),
      `-listen=127.0.0.1:${ports.proxy}`,
      `-backend=127.0.0.1:${ports.backend}`,
      `-metrics=127.0.0.1:${ports.metrics}`,
      `-dir=${crashes}`,
      '-service=warehouse',
      '--',
      join(bin, 'warehouse'),
      '-addr',
      '{addr}',
    ],
    dir,
  );

  database = await freshDatabase();
  const config = {
    service: {
      services: [
        {
          name: 'warehouse',
          repo: { path: src },
          mainPackage: './cmd/server',
          mode: 'http',
          run: { args: ['-addr', '{addr}'] },
          artifacts: [
            { kind: 'panic-log', file: join(crashes, 'crash.log') },
            { kind: 'request', file: join(crashes, 'request.json') },
            { kind: 'traffic', file: join(crashes, 'traffic.ndjson') },
            { kind: 'profile', profile: 'heap', url: `http://127.0.0.1:${ports.backend}/debug/pprof/heap` },
          ],
        },
      ],
      queue: { prefix: PREFIX },
    },
  };
  await writeFile(join(dir, 'medic.config.json'), JSON.stringify(config));
  medic = startMedicProcess(['serve', '--port', String(ports.medic)], {
    ...process.env,
    MEDIC_CONFIG: join(dir, 'medic.config.json'),
    MEDIC_API_TOKEN: TOKEN,
    MEDIC_WORK_DIR: join(dir, 'medic'),
    MEDIC_REDIS_URL: REDIS_URL,
    DATABASE_URL: database.url,
    MEDIC_LOG_LEVEL: 'info',
  });

  await writeFile(
    join(dir, 'rules.yml'),
    [
      'groups:',
      '  - name: medic-e2e',
      '    interval: 1s',
      '    rules:',
      '      - alert: GoServicePanics',
      '        expr: increase(medic_e2e_service_panics_total[20s]) > 0',
      '        labels: { severity: page }',
      '        annotations: { summary: "{{ $labels.service }} panicked" }',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(join(dir, 'rules.yml'))}]`,
      `alerting: { alertmanagers: [ { static_configs: [ { targets: ['127.0.0.1:${ports.alertmanager}'] } ] } ] }`,
      `scrape_configs: [ { job_name: warehouse, static_configs: [ { targets: ['127.0.0.1:${ports.metrics}'] } ] } ]`,
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'alertmanager.yml'),
    [
      'route: { receiver: medic, group_by: [alertname, service], group_wait: 1s, group_interval: 2s, repeat_interval: 1h }',
      'receivers:',
      '  - name: medic',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${ports.medic}/v1/alerts/alertmanager`,
      '        send_resolved: true',
      `        http_config: { authorization: { credentials: ${TOKEN} } }`,
    ].join('\n'),
  );
  start(
    [
      'prometheus-alertmanager',
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
      '--cluster.listen-address=',
    ],
    dir,
  );
  start(
    [
      'prometheus',
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    ],
    dir,
  );
  await Promise.all([
    ready(`http://127.0.0.1:${ports.prometheus}/-/ready`),
    ready(`http://127.0.0.1:${ports.alertmanager}/-/ready`),
    ready(`http://127.0.0.1:${ports.proxy}/healthz`),
    medic.waitFor(/listening on/, 120_000),
  ]);
});

afterAll(async () => {
  if (medic !== undefined && medic.child.exitCode === null) {
    medic.child.kill('SIGTERM');
    await medic.exit;
  }
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  if (missing.length > 0) return;
  await database?.drop();
  await dropQueues(REDIS_URL, PREFIX);
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)('Alertmanager to pull request', () => {
  it('turns a panic seen by Prometheus into a verified patch on a branch', { timeout: 600_000 }, async () => {
    const proxy = `http://127.0.0.1:${ports.proxy}`;
    // increase() needs a sample from before the crash: wait until Prometheus has scraped the counter at 0.
    await until(
      'Prometheus to scrape the panic counter',
      async () => {
        const query = `http://127.0.0.1:${ports.prometheus}/api/v1/query?query=medic_e2e_service_panics_total`;
        const body = (await (await fetch(query)).json()) as { data: { result: unknown[] } };
        return body.data.result.length > 0 ? true : undefined;
      },
      60_000,
    );
    // Normal traffic, then the order that crashes the warehouse (the fixture's trigger).
    await fetch(`${proxy}/stock/lamp`);
    await fetch(`${proxy}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"lines":[{"sku":"lamp","qty":2}]}',
    });
    const crash = await fetch(`${proxy}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"lines":[{"sku":"lamp","qty":25}]}',
    });
    expect(crash.status).toBe(502);

    type Summary = {
      id: string;
      status: string;
      source: string;
      failureClass: string | null;
      alertStatus: string | null;
    };
    const incidents = async () =>
      ((await (await api('/v1/incidents')).json()) as { incidents: Summary[] }).incidents;
    const opened = await until(
      'Alertmanager to deliver the alert',
      async () => (await incidents())[0],
      120_000,
    );
    expect(opened.source).toBe('alertmanager');

    const done = await until(
      'the pipeline to end',
      async () => {
        const row = (await incidents()).find((i) => i.id === opened.id);
        return row && ['proposed', 'no-fix', 'failed', 'duplicate'].includes(row.status) ? row : undefined;
      },
      480_000,
    );
    const detail = (await (await api(`/v1/incidents/${opened.id}`)).json()) as {
      records: Record<string, { body: Record<string, unknown> }>;
      audit: { action: string; reason: string }[];
    };
    expect(done, JSON.stringify(detail.audit)).toMatchObject({
      status: 'proposed',
      failureClass: 'nil-map-write',
    });
    const incident = detail.records.incident?.body as {
      alert: { labels: Record<string, string> };
      artifacts: { kind: string }[];
    };
    expect(incident.alert.labels).toMatchObject({
      alertname: 'GoServicePanics',
      service: 'warehouse',
      severity: 'page',
    });
    expect(incident.artifacts.map((a) => a.kind).sort()).toEqual([
      'panic-log',
      'profile',
      'request',
      'traffic',
    ]);
    const verifications = detail.records.verifications?.body as unknown as { verdict: string }[];
    expect(verifications.some((v) => v.verdict === 'verified')).toBe(true);

    // The verified patch is a commit on medic/<id> in the run's checkout.
    const repo = join(dir, 'medic', 'runs', opened.id, 'repo');
    const changed = execFileSync('git', ['diff', '--name-only', 'main', `medic/${opened.id}`], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(changed).toContain('internal/inventory/ledger.go');

    // The service runs again, the counter stops increasing, the alert resolves: recorded on the incident.
    const resolved = await until(
      'the alert to resolve',
      async () => {
        const row = (await incidents()).find((i) => i.id === opened.id);
        return row?.alertStatus === 'resolved' ? row : undefined;
      },
      120_000,
    );
    expect(resolved.status).toBe('proposed');
    const report = await api(`/incidents/${opened.id}`);
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('nil-map-write');
  });
});
