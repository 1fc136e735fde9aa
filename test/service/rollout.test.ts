/**
 * The rollout stage through the service's queues, against the local Redis and PostgreSQL, a local
 * GitHub and a real Prometheus: the proposal waits unapproved (held, re-checked, one audit entry);
 * once a reviewer approves it a `medic worker` rolls it out with the local driver under generated
 * load; killed with SIGKILL at the second step, another worker resumes the stored Rollout record
 * and promotes it. The record is served by the API and drawn on the review page.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedicConfig } from '../../src/core/config.js';
import { Rollout } from '../../src/core/model.js';
import { LoadGenerator } from '../../src/rollout/index.js';
import { parseServiceConfig } from '../../src/service/config.js';
import { type Running, startServe, startWorker } from '../../src/service/index.js';
import { incidentDetail, incidentRow } from '../../src/service/ledger/queries.js';
import {
  cleanupDeployments,
  FAST,
  freePort,
  type PrometheusServer,
  READS,
  startPrometheus,
} from '../rollout/helpers.js';
import { freshDatabase, type TestDatabase } from './db.js';
import type { FakeGitHub } from './github-server.js';
import { alertmanagerPayload } from './payloads.js';
import { dropQueues, type MedicChild, startMedicProcess, until } from './processes.js';
import { startWarehouse } from './warehouse.js';

const REDIS_URL = process.env.MEDIC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'rollout-test-token-123';
const GITHUB_TOKEN = 'ghs_rollout_test';
const prefix = `medic-rollout-${randomBytes(4).toString('hex')}`;

let dir: string;
let workDir: string;
let database: TestDatabase;
let github: FakeGitHub;
let prometheus: PrometheusServer;
let api: Running;
let workerB: Running | undefined;
let workerA: MedicChild | undefined;
let load: LoadGenerator | undefined;
let listen: string;
let config: ReturnType<typeof parseServiceConfig>;
let medic: MedicConfig;
let env: NodeJS.ProcessEnv;
let incidentId: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-service-rollout-'));
  workDir = join(dir, 'work');
  database = await freshDatabase();
  const warehouse = await startWarehouse(dir, GITHUB_TOKEN);
  github = warehouse.github;
  listen = `127.0.0.1:${await freePort()}`;
  const adminListen = `127.0.0.1:${await freePort()}`;
  prometheus = await startPrometheus(dir, [adminListen]);
  const service = {
    ...warehouse.service,
    sources: { default: { auth: { bearer: TOKEN } } },
    queue: {
      prefix,
      lockDurationMs: 3_000,
      stalledIntervalMs: 1_000,
      reconcileIntervalMs: 2_000,
      backoffMs: 500,
    },
    rollout: { enabled: true, recheckMs: 500 },
    dedupCacheMs: 0,
  };
  const rollout = { ...FAST, prometheusUrl: prometheus.url, listen, adminListen };
  const configFile = join(dir, 'medic.config.json');
  await writeFile(configFile, JSON.stringify({ service, rollout }));
  env = {
    ...process.env,
    MEDIC_CONFIG: configFile,
    MEDIC_REDIS_URL: REDIS_URL,
    DATABASE_URL: database.url,
    MEDIC_GITHUB_TOKEN: GITHUB_TOKEN,
    MEDIC_WORK_DIR: workDir,
    MEDIC_LOG_LEVEL: 'info',
  };
  config = parseServiceConfig({
    ...service,
    redisUrl: REDIS_URL,
    databaseUrl: database.url,
    githubToken: GITHUB_TOKEN,
    port: 0,
  });
  medic = MedicConfig.parse({ workDir, rollout });
  api = await startServe({ config: { ...config, worker: false }, medic, log: pino({ level: 'silent' }) });
});

afterAll(async () => {
  load?.stop();
  if (workerA?.child.exitCode === null) workerA.child.kill('SIGKILL');
  await workerB?.close();
  await api?.close();
  // A failed run may leave a deployment behind.
  if (incidentId) await cleanupDeployments(join(workDir, 'runs', incidentId));
  await prometheus?.stop();
  await github?.stop();
  await dropQueues(REDIS_URL, prefix);
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await response.text();
  return {
    status: response.status,
    body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T,
  };
}

describe('the rollout stage on the queues', () => {
  it('holds an unapproved proposal, then rolls the approved fix out and resumes it after a worker dies', {
    timeout: 240_000,
  }, async () => {
    workerA = startMedicProcess(['worker', '--name', 'worker-a'], env);
    await workerA.waitFor(/worker started/);
    const delivered = await fetch(`${api.url}/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(alertmanagerPayload({ groupKey: 'rollout-1' })),
    }).then((r) => r.json() as Promise<{ incidentId: string }>);
    const id = delivered.incidentId;
    incidentId = id;

    // Proposed, not approved: the rollout is held and asked again, not dropped.
    const held = await until(
      'the rollout to be checked twice',
      async () => {
        const detail = await incidentDetail(api.ledger, id);
        const checks = detail.stageRuns.filter((r) => r.stage === 'rollout' && r.outcome === 'held');
        return checks.length >= 2 ? detail : undefined;
      },
      120_000,
    );
    expect(held.incident).toMatchObject({ status: 'proposed', rolloutStatus: 'awaiting-approval' });
    expect(held.records.rollout).toBeUndefined();
    const holds = held.audit.filter((a) => a.action === 'rollout.held');
    // The same decision twice is one entry in the audit trail; each check is a stage run.
    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({
      actor: 'rollout',
      details: { code: 'MEDIC_ERR_ROLLOUT_NOT_APPROVED', review: { state: 'pending' } },
    });
    const pull = github.pulls[0];
    expect(pull?.body).toContain('## Rollout plan');
    expect(pull?.body).toContain('| 1 | 5 % | 1s |');

    // A reviewer approves; load flows through the proxy the rollout serves on.
    load = new LoadGenerator({ target: listen, requests: READS, rps: 80, maxSeconds: 180 });
    load.start();
    github.review(pull?.number ?? 0, 'alice', 'APPROVED');
    await workerA.waitFor(/step 2\/4 \(25 %\)/, 120_000);
    workerA.child.kill('SIGKILL');
    await workerA.exit;
    const stored = Rollout.parse((await incidentDetail(api.ledger, id)).records.rollout?.body);
    expect(stored.outcome).toBe('in-progress');
    expect(stored.steps.map((s) => s.weight)).toEqual([5, 25]);

    // Another worker takes the job once A's lock expires and resumes the stored record.
    workerB = await startWorker({ config, medic, log: pino({ level: 'silent' }), workerName: 'worker-b' });
    const row = await until(
      'the rollout to end',
      async () => {
        const r = await incidentRow(api.ledger, id);
        return ['queued', 'awaiting-approval', 'rolling-out'].includes(r.rolloutStatus ?? '') ? undefined : r;
      },
      120_000,
    );
    expect(row).toMatchObject({ status: 'proposed', rolloutStatus: 'promoted' });

    // The record, through the API, with the decision that resumed it.
    const { body } = await get<{
      incident: { rolloutStatus: string };
      records: { rollout: { body: unknown } };
    }>(`/v1/incidents/${id}`);
    expect(body.incident.rolloutStatus).toBe('promoted');
    const rollout = Rollout.parse(body.records.rollout.body);
    expect(rollout).toMatchObject({
      outcome: 'promoted',
      approval: { kind: 'review', by: 'alice', url: pull?.html_url },
    });
    expect(rollout.steps.map((s) => s.weight)).toEqual([5, 25, 50, 100]);
    expect(
      rollout.decisions.some((d) => d.decision === 'hold' && /controller restarted/.test(d.reason)),
    ).toBe(true);
    expect(rollout.decisions.at(-1)).toMatchObject({ decision: 'promote', by: 'medic' });

    const detail = await incidentDetail(api.ledger, id);
    const runs = detail.stageRuns.filter((r) => r.stage === 'rollout' && r.outcome !== 'held');
    expect(runs.map((r) => [r.worker, r.outcome])).toEqual([
      ['worker-a', 'lost'],
      ['worker-b', 'done'],
    ]);
    const trail = detail.audit.filter((a) => a.action.startsWith('rollout.'));
    expect(trail.map((a) => [a.action, a.actor])).toEqual([
      ['rollout.held', 'rollout'],
      ['rollout.admitted', 'github:alice'],
      ['rollout.resumed', 'worker-b'],
      ['rollout.promoted', 'medic'],
    ]);
    expect(github.violations).toEqual([]);

    // The review page draws the gates from the record.
    const page = await get<string>(`/incidents/${id}`);
    expect(page.body).toContain('data-gate="error-rate"');
    expect(page.body).toContain('Outcome: <b>promoted</b>');
  });
});
