// A good patch promoted through every step under generated load, with real processes and a real Prometheus.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rollout } from '../../src/core/model.js';
import { loadReportRecords, renderHtml } from '../../src/report/index.js';
import { agentState, alive, GOOD_FIX, makeRunDir, READS, rolloutWithLoad, useBench } from './helpers.js';

describe('local rollout of a good patch', () => {
  const bench = useBench('promote');

  it('promotes through 5, 25, 50 and 100 % with every gate read from Prometheus and the canary output', async () => {
    const run = await makeRunDir(bench.root, GOOD_FIX);
    const result = await rolloutWithLoad(run, {
      prometheusUrl: bench.prometheus.url,
      adminListen: bench.adminListen,
      workDir: bench.workDir,
      requests: READS,
      rps: 80,
      keepRunning: true,
    });
    const { rollout } = result;
    const running = await agentState(result.stateDir);
    try {
      expect(rollout.outcome).toBe('promoted');
      expect(rollout.steps.map((s) => s.weight)).toEqual([5, 25, 50, 100]);
      expect(rollout.decisions.filter((d) => d.decision === 'continue').map((d) => d.step)).toEqual([
        0, 1, 2,
      ]);
      expect(rollout.decisions.at(-1)).toMatchObject({ decision: 'promote', step: 3, by: 'medic' });
      expect(rollout.decisions.some((d) => d.decision === 'rollback')).toBe(false);
      expect(rollout.approval).toMatchObject({ kind: 'operator', by: 'operator:test' });
      expect(rollout.patch).toEqual({
        commit: run.commit,
        baseCommit: run.baseCommit,
        branch: 'medic/nil-map-write',
      });
      for (const step of rollout.steps) {
        expect(step.endedAt).toBeDefined();
        const gates = new Set(step.readings.map((r) => r.gate));
        expect(gates).toEqual(new Set(['signature', 'error-rate', 'latency-p99']));
        // The step passed on a reading with enough canary traffic, all gates green.
        const last = step.readings.filter((r) => r.gate === 'error-rate').at(-1);
        expect(last?.ok).toBe(true);
        expect(last?.samples).toBeGreaterThanOrEqual(5);
        expect(last?.query).toContain('medic_rollout_requests_total');
        expect(step.readings.filter((r) => r.gate === 'signature').every((r) => r.ok && r.value === 0)).toBe(
          true,
        );
      }
      // The record on disk is the one returned, valid against the schema.
      const stored = Rollout.parse(JSON.parse(await readFile(join(run.runDir, 'rollout.json'), 'utf8')));
      expect(stored).toEqual(rollout);

      // Promotion replaced stable: the fix serves all traffic, the old build is gone.
      const state = await agentState(result.stateDir);
      expect(state.stable.revision).toBe(run.commit);
      expect(state.canary).toBeNull();
      expect(state.weight).toBe(0);
      const answer = await fetch(`http://${result.listen}/stock/lamp`);
      expect(answer.status).toBe(200);
      expect(result.stats.statuses['200']).toBeGreaterThan(0);

      // The report draws each gate over time from the stored record.
      const html = renderHtml(await loadReportRecords(run.runDir));
      for (const gate of ['signature', 'error-rate', 'latency-p99'])
        expect(html).toContain(`data-gate="${gate}"`);
    } finally {
      await result.driver.shutdown();
    }
    const after = await agentState(result.stateDir);
    expect(after.stopped).toBe(true);
    expect(alive(running.stable.pid)).toBe(false);
  });
});
