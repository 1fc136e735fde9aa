/**
 * One incident through every BullMQ queue across processes, against the real PostgreSQL and a
 * Redis of the test's own: 50 concurrent deliveries of one alert; a worker SIGKILLed during
 * verify (its job handed to another worker when the lock expires); a SIGTERM that lets verify
 * finish; Redis restarted without persistence before propose (the ledger re-queues it); the pull
 * request opened once on a local GitHub, even when propose runs again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedicConfig } from '../../src/core/config.js';
import { runStage } from '../../src/pipeline.js';
import { parseServiceConfig } from '../../src/service/config.js';
import { forgeFor } from '../../src/service/forge.js';
import { type Running, startServe, startWorker } from '../../src/service/index.js';
import { incidentDetail, incidentRow } from '../../src/service/ledger/queries.js';
import { records } from '../../src/service/ledger/schema.js';
import { materialise } from '../../src/service/workspace.js';
import { freshDatabase, type TestDatabase } from './db.js';
import type { FakeGitHub } from './github-server.js';
import { alertmanagerPayload } from './payloads.js';
import { freePort, type MedicChild, startMedicProcess, TestRedis, until } from './processes.js';
import { startWarehouse } from './warehouse.js';

const TOKEN = 'queue-test-token-123';
const GITHUB_TOKEN = 'ghs_queue_test';

let dir: string;
let database: TestDatabase;
let redis: TestRedis;
let github: FakeGitHub;
let api: Running;
let workerC: Running | undefined;
const children: MedicChild[] = [];
let configFile: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-queues-'));
  database = await freshDatabase();
  redis = new TestRedis(await freePort());
  await redis.start();
  const warehouse = await startWarehouse(dir, GITHUB_TOKEN);
  github = warehouse.github;
  const service = {
    ...warehouse.service,
    sources: {
      default: { auth: { bearer: TOKEN } },
      alertmanager: { rateLimit: { max: 10_000, windowMs: 60_000 } },
    },
    queue: {
      prefix: `medic-test-${process.pid}`,
      lockDurationMs: 3_000,
      stalledIntervalMs: 1_000,
      reconcileIntervalMs: 2_000,
      backoffMs: 500,
    },
    shutdownGraceMs: 300_000,
    dedupCacheMs: 0,
  };
  configFile = join(dir, 'medic.config.json');
  await writeFile(configFile, JSON.stringify({ service }));
  env = {
    ...process.env,
    MEDIC_CONFIG: configFile,
    MEDIC_REDIS_URL: redis.url,
    DATABASE_URL: database.url,
    MEDIC_GITHUB_TOKEN: GITHUB_TOKEN,
    MEDIC_LOG_LEVEL: 'info',
  };
  const config = parseServiceConfig({
    ...service,
    redisUrl: redis.url,
    databaseUrl: database.url,
    githubToken: GITHUB_TOKEN,
    worker: false,
    port: 0,
  });
  api = await startServe({
    config,
    medic: MedicConfig.parse({ workDir: join(dir, 'api') }),
    log: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  for (const worker of children) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await workerC?.close();
  await api?.close();
  await github?.stop();
  await redis?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

function worker(name: string, extra: string[] = []): MedicChild {
  const child = startMedicProcess(['worker', '--name', name, ...extra], {
    ...env,
    MEDIC_WORK_DIR: join(dir, name),
  });
  children.push(child);
  return child;
}

describe('the pipeline on BullMQ', () => {
  it('survives a killed worker, a shutdown and a Redis restart, and opens exactly one pull request', {
    timeout: 900_000,
  }, async () => {
    const metricsPort = await freePort();
    const a = worker('worker-a', ['--metrics-port', String(metricsPort)]);
    await a.waitFor(/worker started/);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('medic_queue_depth{stage="verify",state="waiting"}');

    // 50 concurrent deliveries of the same alert: one incident, every delivery accounted for.
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(`${api.url}/v1/alerts/alertmanager`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(alertmanagerPayload({ groupKey: 'queues-1' })),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { status: string; incidentId: string },
        })),
      ),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    expect(responses.filter((r) => r.body.status === 'created')).toHaveLength(1);
    const ids = new Set(responses.map((r) => r.body.incidentId));
    expect(ids.size).toBe(1);
    const id = [...ids][0] ?? '';

    // Worker A dies hard in the middle of verify.
    await a.waitFor(/"stage":"verify".*stage verify started/);
    a.child.kill('SIGKILL');
    await a.exit;

    // Worker B takes the stalled verify job once A's lock expires; SIGTERM lets it finish verify.
    const b = worker('worker-b');
    await b.waitFor(/"stage":"verify".*stage verify started/);
    b.child.kill('SIGTERM');
    await b.waitFor(/"stage":"verify".*stage verify done/);
    expect(await b.exit).toBe(0);
    expect(b.lines.some((l) => /stage propose started/.test(l))).toBe(false);
    expect((await incidentRow(api.ledger, id)).status).toBe('queued');

    // Redis restarts empty: the queued propose job is gone; the ledger still knows what is next.
    await redis.restart();
    const config = parseServiceConfig({
      ...JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(configFile, 'utf8'))).service,
      redisUrl: redis.url,
      databaseUrl: database.url,
      githubToken: GITHUB_TOKEN,
    });
    const medicC = MedicConfig.parse({ workDir: join(dir, 'worker-c') });
    workerC = await startWorker({
      config,
      medic: medicC,
      log: pino({ level: 'silent' }),
      workerName: 'worker-c',
    });
    const row = await until('the incident to be proposed', async () => {
      const r = await incidentRow(api.ledger, id);
      return r.finishedAt === null ? undefined : r;
    });
    expect(row).toMatchObject({ status: 'proposed', failureClass: 'nil-map-write' });

    const detail = await incidentDetail(api.ledger, id);
    expect(detail.deliveries).toBe(50);
    expect(Object.keys(detail.records).sort()).toEqual([
      'diagnosis',
      'evidence',
      'incident',
      'patches',
      'proposal',
      'verifications',
    ]);
    const verifyRuns = detail.stageRuns.filter((r) => r.stage === 'verify');
    expect(verifyRuns.map((r) => [r.worker, r.outcome])).toEqual([
      ['worker-a', 'lost'],
      ['worker-b', 'done'],
    ]);
    expect(detail.stageRuns.find((r) => r.stage === 'propose')).toMatchObject({
      worker: 'worker-c',
      outcome: 'done',
    });
    expect(detail.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'incident.opened',
        'evidence.stored',
        'diagnosis.made',
        'patches.written',
        'verdict',
        'proposal.opened',
      ]),
    );
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]).toMatchObject({
      head: { ref: `medic/${id}` },
      base: { ref: 'main' },
      labels: [{ name: 'medic' }],
    });
    expect(await api.ledger.get(id, 'proposal')).toMatchObject({
      provider: 'github',
      url: github.pulls[0]?.html_url,
    });
    expect(github.violations).toEqual([]);

    // Propose again on another machine, even with the proposal record lost: still one pull request.
    await api.ledger.db.delete(records).where(and(eq(records.incidentId, id), eq(records.kind, 'proposal')));
    const again = join(dir, 'worker-d');
    const source = await materialise(api.ledger, again, id);
    const state = await runStage('propose', id, {
      outDir: join(again, 'runs', id),
      provider: 'rules',
      config: MedicConfig.parse({ workDir: again }),
      store: api.ledger,
      forge: forgeFor(config, source.incident, join(again, 'runs', id)),
      source: async () => source,
    });
    expect(state.proposal?.url).toBe(github.pulls[0]?.html_url);
    expect(github.pulls).toHaveLength(1);

    // The alert resolves, then fires again: a new incident, whose failure is the one awaiting review.
    const deliver = (status: 'firing' | 'resolved') =>
      fetch(`${api.url}/v1/alerts/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(alertmanagerPayload({ groupKey: 'queues-1', status })),
      }).then((r) => r.json() as Promise<{ status: string; incidentId: string }>);
    expect(await deliver('resolved')).toEqual({ status: 'resolved', incidentId: id });
    const refired = await deliver('firing');
    expect(refired.status).toBe('created');
    const duplicate = await until('the new incident to end', async () => {
      const r = await incidentRow(api.ledger, refired.incidentId);
      return r.finishedAt === null ? undefined : r;
    });
    expect(duplicate).toMatchObject({ status: 'duplicate', duplicateOf: id });
    expect(github.pulls).toHaveLength(1);
  });
});
