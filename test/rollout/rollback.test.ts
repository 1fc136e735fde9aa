// Patches that make things worse are rolled back by the gates: errors, the incident's own panic, unreadable gates.
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prometheus } from '../../src/rollout/index.js';
import {
  agentState,
  ERRORING_FIX,
  errorCode,
  freePort,
  makeRunDir,
  PARTIAL_FIX,
  READS,
  rolloutWithLoad,
  SHORT_ORDER,
  useBench,
} from './helpers.js';

describe('local rollout rollbacks', () => {
  const bench = useBench('rollback');
  let n = 0;
  const fresh = () => mkdtemp(join(bench.root, `case-${n++}-`));
  const on = () => ({
    prometheusUrl: bench.prometheus.url,
    adminListen: bench.adminListen,
    workDir: bench.workDir,
  });

  it('rolls a patch that raises errors back at the first step, stable keeps serving, the canary is stopped', async () => {
    const run = await makeRunDir(await fresh(), ERRORING_FIX);
    const result = await rolloutWithLoad(run, {
      ...on(),
      requests: READS,
      rps: 80,
      keepRunning: true,
    });
    const { rollout } = result;
    try {
      expect(rollout.outcome).toBe('rolled-back');
      expect(rollout.steps).toHaveLength(1);
      const decision = rollout.decisions.at(-1);
      expect(decision).toMatchObject({ decision: 'rollback', step: 0, by: 'medic' });
      expect(decision?.reason).toContain('error rate');
      // The deciding reading is the last one; earlier ones over fewer requests only showed the trend.
      const failing = rollout.steps[0]?.readings.filter((r) => r.gate === 'error-rate').at(-1);
      expect(failing?.ok).toBe(false);
      expect(failing?.value).toBeGreaterThan(0.03);
      expect(failing?.samples).toBeGreaterThanOrEqual(5);
      expect(failing?.baseline).toBe(0);
      const running = await agentState(result.stateDir);
      expect(running.canary).toBeNull();
      expect(running.weight).toBe(0);
      expect(running.stable.revision).toBe(run.baseCommit);
      const log = await readFile(join(result.stateDir, 'agent.log'), 'utf8');
      expect(log).toContain(`canary ${run.commit.slice(0, 12)} stopped`);
      expect((await fetch(`http://${result.listen}/stock/lamp`)).status).toBe(200);
    } finally {
      await result.driver.shutdown();
    }
  });

  it('rolls back at once when the incident’s panic returns in the canary (signature gate)', async () => {
    const run = await makeRunDir(await fresh(), PARTIAL_FIX);
    const result = await rolloutWithLoad(run, {
      ...on(),
      // Half the requests are short orders, so one reaches the canary within its first seconds.
      requests: [...READS, SHORT_ORDER, SHORT_ORDER, SHORT_ORDER, SHORT_ORDER],
      rps: 80,
    });
    const { rollout } = result;
    expect(rollout.outcome).toBe('rolled-back');
    expect(rollout.decisions.some((d) => d.decision === 'promote')).toBe(false);
    expect(rollout.signature).toMatch(/^nil-map-write:[0-9a-f]{16}$/);
    const seen = rollout.steps.at(-1)?.readings.find((r) => r.gate === 'signature' && !r.ok);
    expect(seen?.value).toBeGreaterThanOrEqual(1);
    expect(rollout.decisions.at(-1)?.reason).toContain(rollout.signature ?? '?');
    // What the gate read: the canary's own output, holding the incident's panic.
    const output = await readFile(join(result.stateDir, `${run.commit.slice(0, 12)}.log`), 'utf8');
    expect(output).toContain('panic: assignment to entry in nil map');
  });

  it('holds while Prometheus cannot be read, then rolls back', async () => {
    const run = await makeRunDir(await fresh(), ERRORING_FIX);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await rolloutWithLoad(run, {
      ...on(),
      prometheusUrl: closed,
      requests: READS,
      rps: 20,
      settings: { maxHold: '2s' },
    });
    const { rollout } = result;
    expect(rollout.outcome).toBe('rolled-back');
    const hold = rollout.decisions.find((d) => d.decision === 'hold');
    expect(hold?.reason).toContain('MEDIC_ERR_TRANSPORT_CONNECTION');
    expect(rollout.decisions.at(-1)?.reason).toContain('could not be read');
    // The signature gate still read the canary's output meanwhile.
    expect(rollout.steps[0]?.readings.every((r) => r.gate === 'signature')).toBe(true);
    expect((await agentState(result.stateDir)).stopped).toBe(true);
  });

  it('types Prometheus failures: a rejected query, an unreachable server, a server that is not Prometheus', async () => {
    const error = (url: string, query: string) => errorCode(new Prometheus({ url }).scalar(query));
    const { url } = bench.prometheus;
    expect(await error(url, 'sum(rate(x[')).toBe('MEDIC_ERR_ROLLOUT_PROMETHEUS');
    // Two series where a gate needs one value.
    expect(await error(url, 'label_replace(vector(1), "a", "x", "", "") or vector(2)')).toBe(
      'MEDIC_ERR_ROLLOUT_PROMETHEUS',
    );
    expect(await error(`http://127.0.0.1:${await freePort()}`, 'up')).toBe('MEDIC_ERR_TRANSPORT_CONNECTION');
    expect(await error(`${url}/nothing-here`, '1')).toBe('MEDIC_ERR_ROLLOUT_PROMETHEUS');
    expect(await new Prometheus({ url }).scalar('vector(0.5)')).toBe(0.5);
    expect(await new Prometheus({ url }).scalar('0/0')).toBeUndefined();
  });
});
