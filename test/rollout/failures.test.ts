// Every way a local rollout refuses or stops early: bad builds, batch services, a held lock, a stale record, an interrupt, bad admin calls, bad CLI input.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/core/errors.js';
import { Incident, type Rollout } from '../../src/core/model.js';
import {
  type LocalRolloutOptions,
  loadRolloutSource,
  resolveSettings,
  rolloutLocally,
} from '../../src/rollout/index.js';
import { killLeftovers, waitForExit } from '../../src/rollout/local/processes.js';
import {
  agentState,
  alive,
  BROKEN_FIX,
  errorCode,
  FAST,
  FIXTURE,
  freePort,
  GOOD_FIX,
  localDriver,
  makeRunDir,
} from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('local rollout failure paths', () => {
  let root: string;
  let workDir: string;
  let n = 0;
  const fresh = () => mkdtemp(join(root, `case-${n++}-`));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'medic-rollout-failures-'));
    workDir = join(root, 'work');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function options(
    runDir: string,
    extra: Partial<LocalRolloutOptions> = {},
  ): Promise<LocalRolloutOptions> {
    return {
      source: await loadRolloutSource(runDir, workDir),
      settings: resolveSettings({ ...FAST, maxHold: '1s' }),
      policy: { require: 'approved', allowUnreviewed: false, operator: 'operator:test' },
      prometheusUrl: `http://127.0.0.1:${await freePort()}`,
      goBinary: 'go',
      workDir,
      listen: `127.0.0.1:${await freePort()}`,
      adminListen: `127.0.0.1:${await freePort()}`,
      ...extra,
    };
  }
  const code = errorCode;

  it('stops on a patch that does not build, before any traffic moves and without storing a rollout', async () => {
    const run = await makeRunDir(await fresh(), BROKEN_FIX);
    expect(await code(rolloutLocally(await options(run.runDir)))).toBe('MEDIC_ERR_ROLLOUT_BUILD');
    expect(existsSync(join(run.runDir, 'rollout.json'))).toBe(false);
    // The lock was released: the next controller may start.
    expect(existsSync(join(run.runDir, 'rollout', 'controller.lock'))).toBe(false);
  });

  it('refuses a batch program, a lock held by a live controller, and a stored rollout of another commit', async () => {
    const run = await makeRunDir(await fresh(), GOOD_FIX);
    const incidentFile = join(run.runDir, 'incident.json');
    const incident = Incident.parse(JSON.parse(await readFile(incidentFile, 'utf8')));
    await writeFile(
      incidentFile,
      JSON.stringify({ ...incident, service: { ...incident.service, mode: 'batch' } }),
    );
    expect(await code(rolloutLocally(await options(run.runDir)))).toBe('MEDIC_ERR_ROLLOUT_UNSUPPORTED');
    await writeFile(incidentFile, JSON.stringify(incident));

    const lock = join(run.runDir, 'rollout', 'controller.lock');
    await writeFile(lock, `${process.ppid}\n`);
    expect(await code(rolloutLocally(await options(run.runDir)))).toBe('MEDIC_ERR_ROLLOUT_LOCKED');
    await rm(lock);

    const stale: Rollout = {
      schemaVersion: 1,
      incidentId: incident.id,
      id: `${incident.id}-old`,
      plan: [{ weight: 100, bakeSeconds: 1 }],
      gates: { maxErrorRate: 0.03, maxP99Ms: 800, windowSeconds: 3 },
      patch: { commit: 'f'.repeat(40), baseCommit: run.baseCommit, branch: 'medic/nil-map-write' },
      steps: [],
      decisions: [],
      outcome: 'in-progress',
    };
    await writeFile(join(run.runDir, 'rollout.json'), JSON.stringify(stale));
    expect(await code(rolloutLocally(await options(run.runDir)))).toBe('MEDIC_ERR_ROLLOUT_RECORD_MISMATCH');
    // A finished rollout is reported as it is, nothing is started.
    await writeFile(join(run.runDir, 'rollout.json'), JSON.stringify({ ...stale, outcome: 'rolled-back' }));
    expect((await rolloutLocally(await options(run.runDir))).outcome).toBe('rolled-back');
    expect(existsSync(join(run.runDir, 'rollout', stale.id ?? ''))).toBe(false);
  });

  it('says why the deployment did not start (its listen address is taken) and stores nothing', async () => {
    const run = await makeRunDir(await fresh(), GOOD_FIX);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const listen = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
    try {
      const failed = await rolloutLocally(await options(run.runDir, { listen })).catch(
        (error: unknown) => error,
      );
      expect(isMedicError(failed) && failed.code).toBe('MEDIC_ERR_ROLLOUT_DRIVER');
      expect(String((failed as Error).message)).toContain('EADDRINUSE');
      expect(existsSync(join(run.runDir, 'rollout.json'))).toBe(false);
    } finally {
      taken.close();
    }
  });

  it('rolls back and ends aborted when the operator interrupts', async () => {
    const run = await makeRunDir(await fresh(), GOOD_FIX);
    const abort = new AbortController();
    const result = await rolloutLocally(
      await options(run.runDir, { signal: abort.signal, onServing: () => abort.abort() }),
    );
    expect(result.outcome).toBe('aborted');
    expect(result.decisions.at(-1)).toMatchObject({ decision: 'rollback', by: 'operator' });
  });

  it('guards the agent’s admin API: token, request shape, a weight with no canary', async () => {
    const run = await makeRunDir(await fresh(), GOOD_FIX);
    const o = await options(run.runDir);
    const stateDir = join(root, 'agent');
    const driver = localDriver(run, {
      ...o,
      rolloutId: 'admin-test',
      stateDir,
      workDir,
      incident: o.source.incident,
    });
    await driver.prepare(() => {});
    try {
      const token = JSON.parse(await readFile(join(stateDir, 'agent-spec.json'), 'utf8')).token as string;
      const call = (path: string, body: unknown, auth = `Bearer ${token}`) =>
        fetch(`http://${o.adminListen}${path}`, {
          method: 'POST',
          headers: { authorization: auth },
          body: JSON.stringify(body),
        });
      expect((await call('/-/weight', { weight: 0 }, 'Bearer wrong')).status).toBe(401);
      expect((await fetch(`http://${o.adminListen}/-/state`)).status).toBe(401);
      expect((await call('/-/weight', { weight: 'half' })).status).toBe(400);
      expect((await call('/-/canary', { binary: '' })).status).toBe(400);
      expect((await call('/-/weight', { weight: 50 })).status).toBe(409);
      expect((await fetch(`http://${o.adminListen}/metrics`)).status).toBe(200);
    } finally {
      await driver.shutdown();
    }
  });

  it('starts afresh when the agent died too, killing the service processes it left behind', async () => {
    const run = await makeRunDir(await fresh(), GOOD_FIX);
    const o = await options(run.runDir);
    const stateDir = join(root, 'orphans');
    const driver = () =>
      localDriver(run, { ...o, rolloutId: 'orphan-test', stateDir, workDir, incident: o.source.incident });
    const first = driver();
    const second = driver();
    await first.prepare(() => {});
    try {
      await first.setWeight(25);
      const before = await agentState(stateDir);
      process.kill(before.pid, 'SIGKILL');
      await waitForExit(before.pid);
      expect(alive(before.stable.pid) && alive(before.canary?.pid)).toBe(true);
      await second.prepare(() => {});
      expect(alive(before.stable.pid)).toBe(false);
      expect(alive(before.canary?.pid)).toBe(false);
      const after = await agentState(stateDir);
      expect(after.pid).not.toBe(before.pid);
      expect([after.weight, after.canary]).toEqual([0, null]);
      expect((await fetch(`http://${o.listen}/healthz`)).status).toBe(200);
    } finally {
      await second.shutdown();
      await killLeftovers(join(stateDir, 'agent-state.json'));
    }
  });

  it('CLI: an unreviewed local patch exits 1 before anything starts, an export exits 0', async () => {
    const run = await makeRunDir(await fresh(), GOOD_FIX);
    const medic = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'rollout', ...args], {
          env: { ...process.env, MEDIC_WORK_DIR: workDir },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (c) => resolve({ code: c, stdout, stderr }));
      });
    const [unreviewed, exported] = await Promise.all([
      medic([run.runDir, '--listen', `127.0.0.1:${await freePort()}`]),
      medic([FIXTURE, '--export', 'flagger', '--bake', '30s']),
    ]);
    expect(unreviewed.code).toBe(1);
    expect(unreviewed.stderr).toContain('MEDIC_ERR_ROLLOUT_NOT_APPROVED');
    expect(existsSync(join(run.runDir, 'rollout.json'))).toBe(false);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('kind: Canary');
    expect(exported.stdout).toContain('kind: MetricTemplate');
  });
});
