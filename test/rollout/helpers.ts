/**
 * Test helpers for rollouts: a real Prometheus on a loopback port, a local rollout under generated
 * load, the agent's state file, process liveness, waiting for a line a child prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { isMedicError } from '../../src/core/errors.js';
import type { Incident, ReplayRequest, Rollout } from '../../src/core/model.js';
import { freePort } from '../../src/core/net.js';
import {
  LoadGenerator,
  type LoadStats,
  LocalDriver,
  loadRolloutSource,
  resolveSettings,
  rolloutLocally,
} from '../../src/rollout/index.js';
import { AgentState } from '../../src/rollout/local/agent-api.js';
import { killLeftovers, running } from '../../src/rollout/local/processes.js';
import type { RunDir } from './run-dir.js';

export * from './run-dir.js';
export { freePort };

export interface PrometheusServer {
  url: string;
  stop(): Promise<void>;
}

/** Debian's Prometheus on a free loopback port, scraping `targets` every 500 ms; resolves once it says it is ready. */
export async function startPrometheus(dir: string, targets: string[]): Promise<PrometheusServer> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 500ms',
      '  scrape_timeout: 400ms',
      'scrape_configs:',
      '  - job_name: medic-rollout',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await waitForLine(child, 'Server is ready to receive web requests');
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

/** Resolves when the child prints a line containing `text` on stderr; rejects if it exits first. */
export function waitForLine(child: ChildProcess, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let all = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      all += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      const hit = lines.find((l) => l.includes(text));
      if (hit !== undefined) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        child.stderr?.resume();
        resolve(hit);
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`exited (${code}) before printing "${text}":\n${all.slice(-3000)}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Scaled-down gates: 1 s bakes, a 3 s window read every 500 ms, 5 requests to judge a step. */
export const FAST = {
  plan: '5,25,50,100',
  bake: '1s',
  window: '3s',
  interval: '500ms',
  minRequests: '5',
  maxHold: '6s',
};

export interface LocalRun {
  rollout: Rollout;
  stats: LoadStats;
  stateDir: string;
  listen: string;
  driver: LocalDriver;
}

/** A local rollout of `run` with `requests` sent at `rps` through the proxy from the moment it serves. */
export async function rolloutWithLoad(
  run: RunDir,
  options: {
    prometheusUrl: string;
    adminListen: string;
    workDir: string;
    requests: ReplayRequest[];
    rps: number;
    settings?: Partial<typeof FAST>;
    keepRunning?: boolean;
  },
): Promise<LocalRun> {
  const source = await loadRolloutSource(run.runDir, options.workDir);
  const listen = `127.0.0.1:${await freePort()}`;
  let load: LoadGenerator | undefined;
  const base = {
    source,
    settings: resolveSettings({ ...FAST, ...options.settings }),
    policy: { require: 'approved' as const, allowUnreviewed: false, operator: 'operator:test' },
    prometheusUrl: options.prometheusUrl,
    goBinary: 'go',
    workDir: options.workDir,
    listen,
    adminListen: options.adminListen,
    onServing: (address: string) => {
      load = new LoadGenerator({
        target: address,
        requests: options.requests,
        rps: options.rps,
        maxSeconds: 120,
      });
      load.start();
    },
  };
  try {
    const rollout = await rolloutLocally({ ...base, keepRunning: true }).catch(async (error: unknown) => {
      await cleanupDeployments(run.runDir);
      throw error;
    });
    const stateDir = join(run.runDir, 'rollout', rollout.id ?? '');
    const driver = localDriver(run, {
      rolloutId: rollout.id ?? '',
      stateDir,
      listen,
      adminListen: options.adminListen,
      workDir: options.workDir,
      incident: source.incident,
    });
    if (!options.keepRunning) await driver.shutdown();
    return {
      rollout,
      stats: load?.stats ?? { sent: 0, statuses: {}, failed: 0, skipped: 0 },
      stateDir,
      listen,
      driver,
    };
  } finally {
    load?.stop();
  }
}

/** A local driver for `run`'s two commits, its state in `stateDir` (as rolloutLocally makes one). */
export function localDriver(
  run: RunDir,
  o: {
    rolloutId: string;
    stateDir: string;
    listen: string;
    adminListen: string;
    workDir: string;
    incident: Incident;
  },
): LocalDriver {
  return new LocalDriver({
    rolloutId: o.rolloutId,
    stateDir: o.stateDir,
    repoDir: run.repoDir,
    stableCommit: run.baseCommit,
    canaryCommit: run.commit,
    service: o.incident.service,
    goBinary: 'go',
    buildCacheDir: join(o.workDir, 'cache', 'rollout'),
    listen: o.listen,
    adminListen: o.adminListen,
  });
}

/** The local deployment's state file, as the agent last wrote it. */
export async function agentState(stateDir: string): Promise<AgentState> {
  return AgentState.parse(JSON.parse(await readFile(join(stateDir, 'agent-state.json'), 'utf8')));
}

/** Whether `pid` runs (a zombie waiting to be reaped does not). */
export function alive(pid: number | undefined): boolean {
  return pid !== undefined && running(pid);
}

export interface Bench {
  /** The test file's temp directory, removed after it. */
  root: string;
  /** MEDIC_WORK_DIR of the file: built binaries are cached there, so each builds once per file. */
  workDir: string;
  /** Where the local deployments of the file serve /metrics (one at a time). */
  adminListen: string;
  prometheus: PrometheusServer;
}

/** One temp directory and one Prometheus scraping `adminListen` for a test file, cleaned up after it. */
export function useBench(name: string): Bench {
  const bench: Partial<Bench> = {};
  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), `medic-rollout-${name}-`));
    const adminListen = `127.0.0.1:${await freePort()}`;
    Object.assign(bench, {
      root,
      workDir: join(root, 'work'),
      adminListen,
      prometheus: await startPrometheus(root, [adminListen]),
    });
  });
  afterAll(async () => {
    await bench.prometheus?.stop();
    if (bench.root) await rm(bench.root, { recursive: true, force: true });
  });
  return bench as Bench;
}

/** The error code a promise rejects with, or `ok`. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    return isMedicError(error) ? error.code : String(error);
  }
}

/** Kills whatever the local deployments of a run left running (a test that failed half-way). */
export async function cleanupDeployments(runDir: string): Promise<void> {
  const root = join(runDir, 'rollout');
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await killLeftovers(join(root, entry.name, 'agent-state.json'));
  }
}
