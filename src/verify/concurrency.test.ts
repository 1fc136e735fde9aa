// The confidence figure of the concurrency check: Fisher's exact test on failures before and after.
import { describe, expect, it } from 'vitest';
import { fixConfidence, REQUIRED_CONFIDENCE } from './concurrency.js';

describe('fixConfidence', () => {
  it('is near certain when every run failed before and none after', () => {
    expect(fixConfidence(20, 0, 20)).toBeGreaterThan(0.999999);
  });

  it('is low when the original rarely failed', () => {
    expect(fixConfidence(1, 0, 20)).toBeCloseTo(0.5, 5);
    expect(fixConfidence(2, 0, 20)).toBeLessThan(REQUIRED_CONFIDENCE);
  });

  it('needs about a quarter of the original runs failing for 95% at 20 runs', () => {
    expect(fixConfidence(4, 0, 20)).toBeLessThan(REQUIRED_CONFIDENCE);
    expect(fixConfidence(5, 0, 20)).toBeGreaterThan(REQUIRED_CONFIDENCE);
  });

  it('is zero when nothing changed', () => {
    expect(fixConfidence(0, 0, 20)).toBe(0);
    expect(fixConfidence(5, 5, 20)).toBeLessThan(0.5);
  });
});
