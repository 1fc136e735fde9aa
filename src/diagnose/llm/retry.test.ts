// The retry policy on its own: what is retried, how long it waits, when it gives up.
import { describe, expect, it } from 'vitest';
import { backoffMs, defaultPolicy, retryAfterMs, withRetry } from './retry.js';

const noWait = () => {
  const waits: number[] = [];
  return { waits, deps: { sleep: async (ms: number) => void waits.push(ms), random: () => 0.5 } };
};

describe('retry policy', () => {
  it('reads retry-after-ms, retry-after seconds and retry-after dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const p = defaultPolicy(5);
    expect(backoffMs(p, 0, () => 0)).toBe(250);
    expect(backoffMs(p, 0, () => 1)).toBe(500);
    expect(backoffMs(p, 3, () => 1)).toBe(4000);
    expect(backoffMs(p, 10, () => 1)).toBe(8000);
    expect(backoffMs(p, 0, () => 1, 1234)).toBe(1234);
  });

  it('retries retryable failures up to the limit, then rethrows the last one', async () => {
    const { waits, deps } = noWait();
    let calls = 0;
    const op = async () => {
      calls++;
      throw new Error(`fail ${calls}`);
    };
    await expect(withRetry(op, () => ({ retryable: true }), defaultPolicy(2), deps)).rejects.toThrow(
      'fail 3',
    );
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('does not retry what is not retryable', async () => {
    const { waits, deps } = noWait();
    let calls = 0;
    const op = async () => {
      calls++;
      throw new Error('bad request');
    };
    await expect(withRetry(op, () => ({ retryable: false }), defaultPolicy(3), deps)).rejects.toThrow(
      'bad request',
    );
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('refuses to wait longer than the server-asked limit', async () => {
    const { waits, deps } = noWait();
    const op = async () => {
      throw new Error('429');
    };
    await expect(
      withRetry(op, () => ({ retryable: true, retryAfterMs: 120_000 }), defaultPolicy(3), deps),
    ).rejects.toThrow('429');
    expect(waits).toEqual([]);
  });
});
