// The service's rollout stage deciding, against the local PostgreSQL and a local GitHub: refused, held (audited once per decision), expired, waiting for a run still going; a rollout failing for good ends rolled back; a bad plan stops start-up.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedicConfig } from '../../src/core/config.js';
import { type Incident, type Proposal, type Rollout, SCHEMA_VERSION } from '../../src/core/model.js';
import { parseServiceConfig } from '../../src/service/config.js';
import { startServe } from '../../src/service/index.js';
import { openIncident } from '../../src/service/ledger/intake.js';
import { Ledger } from '../../src/service/ledger/ledger.js';
import { type OpenedDb, openDb } from '../../src/service/ledger/open.js';
import { incidentDetail, incidentRow } from '../../src/service/ledger/queries.js';
import { serviceRollout } from '../../src/service/rollout.js';
import { freshDatabase, type TestDatabase } from './db.js';
import { FakeGitHub } from './github-server.js';
import { FIXTURE } from './warehouse.js';

const GITHUB_TOKEN = 'ghs_admission_test';
const COMMIT = 'a'.repeat(40);
const at = new Date().toISOString();

let dir: string;
let database: TestDatabase;
let db: OpenedDb;
let ledger: Ledger;
let github: FakeGitHub;
let githubUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-rollout-admission-'));
  database = await freshDatabase();
  db = await openDb({ databaseUrl: database.url, pgliteDir: '' });
  ledger = new Ledger(db.db);
  const bare = join(dir, 'warehouse.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  github = new FakeGitHub({ owner: 'acme', repo: 'warehouse', token: GITHUB_TOKEN, bareRepo: bare });
  githubUrl = await github.start();
});

afterAll(async () => {
  await github?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const config = (provider: 'local' | 'github', approvalTimeoutMs = 3_600_000) =>
  parseServiceConfig({
    sources: { default: { auth: { bearer: 'test-token' } } },
    services: [
      {
        name: 'warehouse',
        repo: { path: join(FIXTURE, 'service') },
        mainPackage: './cmd/server',
        run: { args: ['-addr', '{addr}'] },
        github: { owner: 'acme', repo: 'warehouse' },
      },
    ],
    forge: { provider, github: { apiUrl: githubUrl } },
    githubToken: GITHUB_TOKEN,
    rollout: { enabled: true, recheckMs: 1_000, approvalTimeoutMs },
  });

const runner = (provider: 'local' | 'github', approvalTimeoutMs?: number) =>
  serviceRollout({
    ledger,
    config: config(provider, approvalTimeoutMs),
    medic: MedicConfig.parse({ workDir: join(dir, 'work') }),
    log: pino({ level: 'silent' }),
    workerName: 'test-worker',
  });

/** A proposed incident in the ledger: its record, a verified patch and the proposal. */
async function proposed(id: string, proposal: Partial<Proposal>, status: 'proposed' | 'queued' = 'proposed') {
  const incident: Incident = {
    schemaVersion: SCHEMA_VERSION,
    id,
    source: 'alertmanager',
    receivedAt: at,
    service: {
      name: 'warehouse',
      repo: { path: join(FIXTURE, 'service') },
      mainPackage: './cmd/server',
      run: { args: [], env: {} },
    },
    artifacts: [],
  };
  await openIncident(ledger, {
    incident,
    groupKey: id,
    delivery: { source: 'alertmanager', alertStatus: 'firing' },
    actor: 'test',
    reason: 'test',
  });
  await ledger.put(id, 'incident', incident);
  await ledger.put(id, 'verifications', [
    {
      schemaVersion: SCHEMA_VERSION,
      incidentId: id,
      patchRank: 1,
      verdict: 'verified',
      reason: 'ok',
      checks: [],
      isolation: { kind: 'native', reason: 'test' },
      startedAt: at,
      finishedAt: at,
    },
  ]);
  await ledger.put(id, 'proposal', {
    schemaVersion: SCHEMA_VERSION,
    incidentId: id,
    provider: 'local',
    branch: `medic/${id}`,
    baseBranch: 'main',
    commit: COMMIT,
    title: 'Fix',
    body: 'b',
    createdAt: at,
    ...proposal,
  });
  if (status === 'proposed') await ledger.finish(id, { status: 'proposed', reason: 'verified' });
  await ledger.setRolloutStatus(id, 'queued');
}

/** An open pull request at the verified commit on the local GitHub. */
function pull(n: number): string {
  const html = `https://github.example/acme/warehouse/pull/${n}`;
  github.pulls.push({
    number: n,
    html_url: html,
    state: 'open',
    title: 'Fix',
    body: 'b',
    merged_at: null,
    draft: false,
    head: { ref: `medic/p${n}`, label: `acme:medic/p${n}`, sha: COMMIT },
    base: { ref: 'main' },
    merged: false,
    merged_by: null,
    labels: [],
    requested_reviewers: [],
  });
  return html;
}

const actions = async (id: string) =>
  (await incidentDetail(ledger, id)).audit
    .filter((a) => a.action.startsWith('rollout.'))
    .map((a) => a.action);
const signal = new AbortController().signal;

describe('the rollout stage deciding', () => {
  it('refuses an unreviewed local proposal: nobody will review it', async () => {
    await proposed('local-1', { provider: 'local', url: join(dir, 'review.md') });
    expect(await runner('local').run('local-1', signal)).toEqual({ status: 'ended' });
    expect((await incidentRow(ledger, 'local-1')).rolloutStatus).toBe('refused');
    const detail = await incidentDetail(ledger, 'local-1');
    expect(detail.audit.at(-1)).toMatchObject({
      action: 'rollout.refused',
      actor: 'rollout',
      details: { code: 'MEDIC_ERR_ROLLOUT_NOT_APPROVED', review: { state: 'unreviewed' } },
    });
  });

  it('holds a pull request not approved yet, and audits a decision again only when it changes', async () => {
    const url = pull(1);
    await proposed('gh-1', { provider: 'github', url });
    const github1 = runner('github');
    expect(await github1.run('gh-1', signal)).toEqual({ status: 'held', recheckInMs: 1_000 });
    expect(await github1.run('gh-1', signal)).toEqual({ status: 'held', recheckInMs: 1_000 });
    expect((await incidentRow(ledger, 'gh-1')).rolloutStatus).toBe('awaiting-approval');
    expect(await actions('gh-1')).toEqual(['rollout.held']);
    github.review(1, 'bob', 'CHANGES_REQUESTED');
    expect((await github1.run('gh-1', signal)).status).toBe('held');
    expect(await actions('gh-1')).toEqual(['rollout.held', 'rollout.held']);
    expect(github.violations).toEqual([]);
  });

  it('stops waiting once the approval timeout has passed', async () => {
    const url = pull(2);
    await proposed('gh-2', {
      provider: 'github',
      url,
      createdAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(await runner('github', 1_000).run('gh-2', signal)).toEqual({ status: 'ended' });
    expect((await incidentRow(ledger, 'gh-2')).rolloutStatus).toBe('expired');
    expect(await actions('gh-2')).toEqual(['rollout.expired']);
  });

  it('waits, unaudited, for a run that has not ended yet', async () => {
    await proposed('early-1', { provider: 'local' }, 'queued');
    expect((await runner('local').run('early-1', signal)).status).toBe('held');
    expect(await actions('early-1')).toEqual([]);
  });

  it('ends a rollout whose job failed for good rolled back, with the reason', async () => {
    await proposed('failed-1', { provider: 'local' });
    const rollout: Rollout = {
      schemaVersion: SCHEMA_VERSION,
      incidentId: 'failed-1',
      id: 'failed-1-x',
      plan: [{ weight: 5, bakeSeconds: 1 }],
      gates: { maxErrorRate: 0.03, maxP99Ms: 800, windowSeconds: 3 },
      steps: [{ index: 0, weight: 5, startedAt: at, readings: [] }],
      decisions: [],
      outcome: 'in-progress',
    };
    await ledger.put('failed-1', 'rollout', rollout);
    await runner('local').fail('failed-1', 'MEDIC_ERR_ROLLOUT_DRIVER: the agent is gone');
    const stored = await ledger.get('failed-1', 'rollout');
    expect(stored).toMatchObject({ outcome: 'rolled-back', steps: [{ endedAt: expect.any(String) }] });
    expect(stored?.decisions.at(-1)).toMatchObject({
      decision: 'rollback',
      by: 'medic',
      reason: expect.stringContaining('MEDIC_ERR_ROLLOUT_DRIVER'),
    });
    expect((await incidentRow(ledger, 'failed-1')).rolloutStatus).toBe('failed');
    expect(await actions('failed-1')).toEqual(['rollout.failed']);
  });

  it('refuses to start with a rollout plan that makes no sense', async () => {
    const medic = MedicConfig.parse({ workDir: join(dir, 'work'), rollout: { plan: '50,25' } });
    await expect(
      startServe({
        config: config('local'),
        medic,
        log: pino({ level: 'silent' }),
      }),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_CONFIG_INVALID',
      message: expect.stringContaining('rollout'),
    });
  });
});
