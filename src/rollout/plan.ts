/** The rollout plan and gate settings: parsing of `--plan`, durations and thresholds, with the design's defaults. */
import { InputError } from '../core/errors.js';
import type { RolloutStepPlan } from '../core/model.js';

/** Everything the controller needs to know about how to roll out, before any reading is taken. */
export interface RolloutSettings {
  plan: RolloutStepPlan[];
  /** Roll back when the canary's share of 5xx answers over the window is above this (0..1). */
  maxErrorRate: number;
  /** Roll back when the canary's p99 latency over the window is above this, in ms. */
  maxP99Ms: number;
  /** The PromQL range the SLO gates are measured over, in seconds. */
  windowSeconds: number;
  /** Seconds between two readings during a bake. */
  intervalSeconds: number;
  /** Canary requests the window must hold before a step may pass (too little traffic proves nothing). */
  minRequests: number;
  /**
   * Seconds a step may run past its bake while it waits for enough canary traffic or for readable
   * gates; then the rollout is rolled back (the fix could not be shown to be safe).
   */
  maxHoldSeconds: number;
}

/** The design's defaults: 5 → 25 → 50 → 100 %, five-minute bakes, 3 % errors or 800 ms p99 over 5 minutes. */
export const DEFAULT_WEIGHTS = [5, 25, 50, 100] as const;
export const DEFAULTS = {
  bakeSeconds: 300,
  maxErrorRate: 0.03,
  maxP99Ms: 800,
  windowSeconds: 300,
  intervalSeconds: 30,
  minRequests: 20,
} as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `800ms`, `30s`, `5m`, `1h`, `1m30s`, `1.5s` → milliseconds; throws InputError naming `what`. */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const whole = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || whole !== trimmed) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `${what} must be a duration such as 800ms, 30s, 5m or 1m30s, not "${text}"`,
    );
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? 's'] ?? 1000), 0);
}

/** `5,25,50,100` → weights in percent, strictly increasing, each in (0, 100]. */
export function parseWeights(text: string): number[] {
  const weights = text.split(',').map((w) => w.trim().replace(/%$/, ''));
  const numbers = weights.map(Number);
  const bad = weights.find((w, i) => w === '' || !Number.isFinite(numbers[i]));
  if (bad !== undefined) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--plan takes weights such as 5,25,50,100, not "${text}"`,
    );
  }
  checkWeights(numbers);
  return numbers;
}

export function checkWeights(weights: readonly number[]): void {
  if (weights.length === 0)
    throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', 'the plan needs at least one step');
  weights.forEach((w, i) => {
    if (!(w > 0 && w <= 100)) {
      throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `plan weight ${w} is outside (0, 100]`);
    }
    const previous = weights[i - 1];
    if (previous !== undefined && w <= previous) {
      throw new InputError(
        'MEDIC_ERR_INPUT_BAD_OPTION',
        `plan weights must increase step by step: ${weights.join(', ')}`,
      );
    }
  });
}

/** `0.03` or `3%` → 0.03. */
export function parseRate(text: string, what: string): number {
  const percent = text.trim().endsWith('%');
  const value = Number(percent ? text.trim().slice(0, -1) : text.trim());
  const rate = percent ? value / 100 : value;
  if (text.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `${what} must be a fraction in [0, 1] or a percentage, not "${text}"`,
    );
  }
  return rate;
}

export function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `${what} must be a whole number ≥ 0, not "${text}"`);
  }
  return n;
}

/** One bake for every step (`30s`) or one per step (`30s,1m,1m,5m`). */
export function parseBakes(text: string, steps: number): number[] {
  const bakes = text.split(',').map((b) => parseDuration(b, '--bake') / 1000);
  if (bakes.length === 1) return Array.from({ length: steps }, () => bakes[0] ?? 0);
  if (bakes.length !== steps) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--bake lists ${bakes.length} durations for a plan of ${steps} steps: give one, or one per step`,
    );
  }
  return bakes;
}

/** The settings as text, each optional (flags or the config file); absent ones take the defaults. */
export interface SettingsInput {
  plan?: string;
  bake?: string;
  maxErrorRate?: string;
  maxP99?: string;
  window?: string;
  interval?: string;
  minRequests?: string;
  maxHold?: string;
}

export function resolveSettings(input: SettingsInput): RolloutSettings {
  const weights = input.plan === undefined ? [...DEFAULT_WEIGHTS] : parseWeights(input.plan);
  const bakes =
    input.bake === undefined
      ? weights.map(() => DEFAULTS.bakeSeconds)
      : parseBakes(input.bake, weights.length);
  const plan = weights.map((weight, i) => ({ weight, bakeSeconds: bakes[i] ?? 0 }));
  const windowSeconds =
    input.window === undefined ? DEFAULTS.windowSeconds : parseDuration(input.window, '--window') / 1000;
  if (windowSeconds < 1) throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', '--window must be at least 1s');
  const intervalSeconds =
    input.interval === undefined
      ? DEFAULTS.intervalSeconds
      : parseDuration(input.interval, '--interval') / 1000;
  if (intervalSeconds < 0.1)
    throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', '--interval must be at least 100ms');
  const longestBake = Math.max(...plan.map((s) => s.bakeSeconds));
  return {
    plan,
    maxErrorRate:
      input.maxErrorRate === undefined
        ? DEFAULTS.maxErrorRate
        : parseRate(input.maxErrorRate, '--max-error-rate'),
    maxP99Ms: input.maxP99 === undefined ? DEFAULTS.maxP99Ms : parseDuration(input.maxP99, '--max-p99'),
    windowSeconds,
    intervalSeconds,
    minRequests:
      input.minRequests === undefined
        ? DEFAULTS.minRequests
        : parseCount(input.minRequests, '--min-requests'),
    maxHoldSeconds:
      input.maxHold === undefined
        ? Math.max(longestBake, windowSeconds, 3 * intervalSeconds)
        : parseDuration(input.maxHold, '--max-hold') / 1000,
  };
}

/**
 * A duration as PromQL, Argo and Flagger all read it: whole minutes as `5m`, whole seconds as `30s`,
 * else milliseconds (never hours: Flagger's schema takes only `<n>m` or `<n>s`).
 */
export function formatDuration(seconds: number): string {
  if (Number.isInteger(seconds)) {
    if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
    return `${seconds}s`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}
