// Judging a replay of the trigger: failures printed or answered, and leaks read from pprof figures.
import { describe, expect, it } from 'vitest';
import type { FailureClass, ReplayRequest } from '../core/model.js';
import type { ReplayContext } from './replay.js';
import { judgeTrigger, triggerStep } from './replay-steps.js';
import type { ReplayResult } from './sandbox/index.js';

const trigger: ReplayRequest = { method: 'GET', path: '/v1/geocode?q=Braga', headers: {}, body: '' };

function ctx(expected: FailureClass | undefined): ReplayContext {
  // Only the fields the judge and the step builder read; the rest is never touched here.
  return {
    expected,
    race: false,
    original: '/bin/orig',
    patched: '/bin/patched',
    command: [],
    incident: { service: { run: { args: ['-addr', '{addr}'], env: {} } } },
    baseline: { dir: '/o', tmpDir: '/o/.medic-tmp' },
    cand: { dir: '/c', tmpDir: '/c/.medic-tmp' },
  } as unknown as ReplayContext;
}

function result(over: Partial<ReplayResult>): ReplayResult {
  return { kind: 'replay', started: true, responses: [], stdout: '', stderr: '', durationMs: 1, ...over };
}

describe('triggerStep', () => {
  it('sends a leak trigger as a burst with the pprof probe, and lingers for other triggers', () => {
    const leak = triggerStep(ctx('goroutine-leak'), 'patched', trigger);
    expect(leak.requests[0]?.burst).toEqual({ concurrency: 8, rounds: 25 });
    expect(leak.probe).toMatchObject({ path: '/debug/pprof/goroutine?debug=1', metric: 'goroutines' });
    expect(leak.argv[0]).toBe('/bin/patched');
    const panic = triggerStep(ctx('nil-map-write'), 'original', trigger);
    expect(panic.probe).toBeUndefined();
    expect(panic.lingerMs).toBeGreaterThan(0);
  });
});

describe('judgeTrigger', () => {
  it('counts goroutines that stay after 200 requests as the leak, and none staying as fixed', () => {
    const leaked = judgeTrigger(ctx('goroutine-leak'), trigger, result({ probe: { before: 3, after: 203 } }));
    expect(leaked).toMatchObject({
      failed: true,
      incidentWay: true,
      summary: 'goroutines 3 -> 203 after 200 requests',
    });
    const fixed = judgeTrigger(ctx('goroutine-leak'), trigger, result({ probe: { before: 3, after: 4 } }));
    expect(fixed).toMatchObject({ failed: false, incidentWay: false });
  });

  it('cannot tell a leak without a pprof endpoint', () => {
    const judged = judgeTrigger(
      ctx('heap-leak'),
      trigger,
      result({ probe: { error: '/debug/pprof/heap answered 404' } }),
    );
    expect(judged.unmeasured).toContain('404');
    expect(judged.incidentWay).toBe(false);
  });

  it('takes a dropped connection or a 5xx as a failure, and the incident way only with no class to match', () => {
    const reset = result({ responses: [{ error: 'ECONNRESET' }] });
    expect(judgeTrigger(ctx(undefined), trigger, reset)).toMatchObject({ failed: true, incidentWay: true });
    expect(judgeTrigger(ctx('nil-deref'), trigger, reset)).toMatchObject({
      failed: true,
      incidentWay: false,
    });
    const ok = result({ responses: [{ status: 200, headers: {}, body: '{}' }] });
    expect(judgeTrigger(ctx('nil-deref'), trigger, ok)).toMatchObject({
      failed: false,
      summary: 'answered 200',
    });
    expect(judgeTrigger(ctx('nil-deref'), trigger, result({ started: false })).failed).toBe(true);
  });
});
