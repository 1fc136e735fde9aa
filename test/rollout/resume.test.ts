// A controller killed with SIGKILL mid-rollout: traffic keeps flowing, and `medic rollout` run again resumes from the stored record to a safe end.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rollout } from '../../src/core/model.js';
import { LoadGenerator } from '../../src/rollout/index.js';
import {
  agentState,
  alive,
  cleanupDeployments,
  FAST,
  freePort,
  GOOD_FIX,
  makeRunDir,
  READS,
  useBench,
  waitForLine,
} from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('a rollout controller killed mid-rollout', () => {
  const bench = useBench('resume');

  it('resumes from the stored record after SIGKILL and ends promoted, with nothing left running', async () => {
    const run = await makeRunDir(bench.root, GOOD_FIX);
    const listen = `127.0.0.1:${await freePort()}`;
    const medic = (extra: string[]) =>
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          MAIN,
          'rollout',
          run.runDir,
          ...['--plan', FAST.plan, '--bake', FAST.bake, '--window', FAST.window, '--interval', FAST.interval],
          ...['--min-requests', FAST.minRequests, '--max-hold', FAST.maxHold],
          ...[
            '--prometheus',
            bench.prometheus.url,
            '--listen',
            listen,
            '--admin-listen',
            bench.adminListen,
            ...extra,
          ],
        ],
        { env: { ...process.env, MEDIC_WORK_DIR: bench.workDir }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
    const load = new LoadGenerator({ target: listen, requests: READS, rps: 80, maxSeconds: 120 });
    let first: ChildProcess | undefined;
    try {
      first = medic(['--approve']);
      await waitForLine(first, 'serving on');
      load.start();
      // A reading at 25 % is stored before it is printed: kill the controller right after it.
      await waitForLine(first, 'step 2/4 (25 %)');
      const killed = new Promise((resolve) => first?.once('exit', (_code, signal) => resolve(signal)));
      first.kill('SIGKILL');
      expect(await killed).toBe('SIGKILL');

      const stored = Rollout.parse(JSON.parse(await readFile(join(run.runDir, 'rollout.json'), 'utf8')));
      expect(stored.outcome).toBe('in-progress');
      expect(stored.steps.map((s) => s.weight)).toEqual([5, 25]);
      const stateDir = join(run.runDir, 'rollout', stored.id ?? '');
      // The data plane outlived its controller: both versions still answer through the proxy.
      const during = await agentState(stateDir);
      expect(during.weight).toBe(25);
      expect(alive(during.canary?.pid)).toBe(true);
      expect((await fetch(`http://${listen}/healthz`)).status).toBe(200);

      // Run again (no --approve: the approval is in the record) and it resumes the stored rollout.
      const second = medic(['--json']);
      const out: Buffer[] = [];
      second.stdout?.on('data', (c: Buffer) => out.push(c));
      second.stderr?.resume();
      const code = await new Promise((resolve) => second.once('exit', (c) => resolve(c)));
      expect(code).toBe(0);
      const final = Rollout.parse(JSON.parse(Buffer.concat(out).toString('utf8')));
      expect(final.id).toBe(stored.id);
      expect(final.outcome).toBe('promoted');
      expect(final.steps.map((s) => s.weight)).toEqual([5, 25, 50, 100]);
      expect(final.approval).toEqual(stored.approval);
      const resumed = final.decisions.find(
        (d) => d.decision === 'hold' && d.reason.includes('controller restarted'),
      );
      expect(resumed?.step).toBe(1);
      // Readings taken before the kill are kept, in order, with those after it.
      expect(final.steps[1]?.readings.slice(0, stored.steps[1]?.readings.length ?? 0)).toEqual(
        stored.steps[1]?.readings,
      );

      // Safe end: promoted, the deployment stopped (no --keep-running), no service process left.
      const after = await agentState(stateDir);
      expect(after.stopped).toBe(true);
      expect(alive(during.pid)).toBe(false);
      expect(alive(during.stable.pid)).toBe(false);
      expect(alive(during.canary?.pid)).toBe(false);
      expect(Rollout.parse(JSON.parse(await readFile(join(run.runDir, 'rollout.json'), 'utf8')))).toEqual(
        final,
      );
    } finally {
      load.stop();
      if (first && first.exitCode === null && first.signalCode === null) first.kill('SIGKILL');
      await cleanupDeployments(run.runDir);
    }
  });
});
