import { describe, expect, it } from 'vitest';
import { isMedicError } from '../core/errors.js';
import { DEFAULTS, formatDuration, parseDuration, parseRate, parseWeights, resolveSettings } from './plan.js';

const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (error) {
    return isMedicError(error) ? error.code : String(error);
  }
};

describe('rollout settings', () => {
  it('defaults to the design: 5/25/50/100 %, 3 % errors or 800 ms p99 over 5 minutes', () => {
    const s = resolveSettings({});
    expect(s.plan.map((p) => p.weight)).toEqual([5, 25, 50, 100]);
    expect(s.plan.every((p) => p.bakeSeconds === DEFAULTS.bakeSeconds)).toBe(true);
    expect([s.maxErrorRate, s.maxP99Ms, s.windowSeconds]).toEqual([0.03, 800, 300]);
  });

  it('reads durations, rates, weights and per-step bakes', () => {
    expect(parseDuration('800ms', 'x')).toBe(800);
    expect(parseDuration('1m30s', 'x')).toBe(90_000);
    expect(parseDuration('1.5s', 'x')).toBe(1500);
    expect(parseRate('3%', 'x')).toBe(0.03);
    expect(parseRate('0.1', 'x')).toBe(0.1);
    expect(parseWeights('10, 50%,100')).toEqual([10, 50, 100]);
    const s = resolveSettings({
      plan: '10,100',
      bake: '30s,2m',
      maxP99: '1.2s',
      window: '3s',
      interval: '500ms',
      minRequests: '7',
    });
    expect(s.plan).toEqual([
      { weight: 10, bakeSeconds: 30 },
      { weight: 100, bakeSeconds: 120 },
    ]);
    expect([s.maxP99Ms, s.windowSeconds, s.intervalSeconds, s.minRequests]).toEqual([1200, 3, 0.5, 7]);
  });

  it('writes durations as PromQL, Argo and Flagger read them', () => {
    expect([formatDuration(300), formatDuration(30), formatDuration(3600), formatDuration(0.5)]).toEqual([
      '5m',
      '30s',
      '60m',
      '500ms',
    ]);
  });

  it('rejects bad values with MEDIC_ERR_INPUT_BAD_OPTION', () => {
    for (const bad of [
      () => parseDuration('5', '--bake'),
      () => parseDuration('5 minutes', '--bake'),
      () => parseWeights('5,,100'),
      () => parseWeights('50,25'),
      () => parseWeights('0,100'),
      () => parseWeights('5,150'),
      () => parseRate('120%', '--max-error-rate'),
      () => parseRate('lots', '--max-error-rate'),
      () => resolveSettings({ plan: '5,100', bake: '1s,2s,3s' }),
      () => resolveSettings({ window: '500ms' }),
      () => resolveSettings({ interval: '10ms' }),
      () => resolveSettings({ minRequests: '-1' }),
    ]) {
      expect(code(bad)).toBe('MEDIC_ERR_INPUT_BAD_OPTION');
    }
  });
});
