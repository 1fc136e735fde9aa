/**
 * The one retry policy for LLM calls: retry only what is classified retryable (429, 408, 5xx,
 * connection failures, timeouts), honour retry-after / retry-after-ms, otherwise capped
 * exponential backoff with jitter. The SDK's own retries are switched off so there is one loop.
 */
import type { Sleep } from '../ports.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step; doubled each retry. Default 500 ms. */
  baseMs: number;
  /** Longest backoff step. Default 8 s. */
  capMs: number;
  /** A server asking for a longer wait than this is not waited for: the call fails instead. Default 60 s. */
  maxRetryAfterMs: number;
}

export const defaultPolicy = (maxRetries: number): RetryPolicy => ({
  maxRetries,
  baseMs: 500,
  capMs: 8_000,
  maxRetryAfterMs: 60_000,
});

export interface Classified {
  retryable: boolean;
  /** What the server asked for, when it did. */
  retryAfterMs?: number;
}

/** Parses `retry-after-ms`, then `retry-after` (delta seconds or an HTTP date), as the server sent them. */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.max(0, Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before retry number `attempt` (0-based). */
export function backoffMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  asked?: number,
): number {
  if (asked !== undefined) return asked;
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  // Full jitter over the upper half keeps clients that failed together from retrying together.
  return Math.round(step / 2 + (random() * step) / 2);
}

export interface RetryDeps {
  sleep: Sleep;
  random: () => number;
  /** Called before each wait: attempt number (1-based retry), the delay, and why. */
  onRetry?: (attempt: number, delayMs: number, reason: unknown) => void;
}

/**
 * Runs `op` until it succeeds, fails with something not retryable, or the retries run out; the last
 * error is rethrown as is, so the caller maps it to a typed error once.
 */
export async function withRetry<T>(
  op: () => Promise<T>,
  classify: (error: unknown) => Classified,
  policy: RetryPolicy,
  deps: RetryDeps,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      const c = classify(error);
      if (!c.retryable || attempt >= policy.maxRetries || signal?.aborted) throw error;
      if (c.retryAfterMs !== undefined && c.retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delay = backoffMs(policy, attempt, deps.random, c.retryAfterMs);
      deps.onRetry?.(attempt + 1, delay, error);
      await deps.sleep(delay, signal);
    }
  }
}

/** setTimeout as a promise, cancellable. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
