// Scoring rules of `medic eval`: function matching across import paths, percentiles, totals.
import { describe, expect, it } from 'vitest';
import type { ExpectedOutcome } from '../core/model.js';
import { type EvalRow, locationMatches, percentile, sameFunction, totals } from './score.js';

const expected: ExpectedOutcome = {
  class: 'nil-map-write',
  blamed: { file: 'internal/store/store.go', function: 'example.com/shop/internal/store.(*Store).Add' },
  fix: 'make the map in NewStore',
  strategies: ['init-map-at-construction'],
  referencePatch: 'reference.patch',
};

describe('eval scoring', () => {
  it('matches functions by their name after the import path', () => {
    expect(sameFunction('example.com/shop/internal/store.(*Store).Add', 'store.(*Store).Add')).toBe(true);
    expect(sameFunction('example.com/shop/internal/store.(*Store).Add', 'store.(*Store).Add.func1')).toBe(
      false,
    );
    expect(sameFunction('a/store.Add', 'b/cart.Add')).toBe(false);
  });

  it('needs the file, the function and (when listed) one of the lines', () => {
    const at = (file: string, line: number) => ({ file, line, function: 'store.(*Store).Add' });
    expect(locationMatches(at('internal/store/store.go', 40), expected)).toBe(true);
    expect(locationMatches(at('internal/store/other.go', 40), expected)).toBe(false);
    const withLines = { ...expected, blamed: { ...expected.blamed, lines: [41, 42] } };
    expect(locationMatches(at('internal/store/store.go', 40), withLines)).toBe(false);
    expect(locationMatches(at('internal/store/store.go', 42), withLines)).toBe(true);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeUndefined();
    expect(percentile([10], 0.95)).toBe(10);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 0.95)).toBe(
      19,
    );
  });

  it('sums rows into rates and time-to-fix figures', () => {
    const row = (verified: boolean, timeToFixMs?: number): EvalRow => ({
      id: 'x',
      expectedClass: 'nil-map-write',
      classRight: true,
      top1: verified,
      top3: true,
      verified,
      checks: [],
      timings: {},
      ...(timeToFixMs === undefined ? {} : { timeToFixMs }),
    });
    const t = totals([row(true, 3000), row(true, 1000), row(false)]);
    expect(t.incidents).toBe(3);
    expect(t.classAccuracy).toBe(1);
    expect(t.top1).toBeCloseTo(2 / 3);
    expect(t.verifiedRate).toBeCloseTo(2 / 3);
    expect(t.medianTimeToFixMs).toBe(1000);
    expect(t.p95TimeToFixMs).toBe(3000);
  });
});
