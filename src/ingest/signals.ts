/** The signal vector of an Evidence record (panicScore, pprofEntropy, traceJitter), formulas in docs/architecture.md. */
import type {
  Failure,
  FailureClass,
  Goroutine,
  ProfileFeatures,
  Signals,
  TraceFeatures,
} from '../core/model.js';

/**
 * How strongly each class says "this process is broken now": runtime faults that kill the
 * process score highest; a recovered custom panic or a slow leak lowest.
 */
export const CLASS_WEIGHT: Record<FailureClass, number> = {
  'concurrent-map-write': 1,
  deadlock: 1,
  oom: 1,
  'stack-overflow': 1,
  'fatal-error': 1,
  'nil-deref': 0.9,
  'nil-map-write': 0.9,
  'index-range': 0.9,
  'slice-range': 0.9,
  'divide-by-zero': 0.9,
  'closed-channel-close': 0.9,
  'nil-channel-close': 0.9,
  'send-on-closed': 0.9,
  'unlock-of-unlocked': 0.9,
  'type-assertion': 0.8,
  race: 0.8,
  'custom-panic': 0.6,
  'goroutine-leak': 0.5,
  'heap-leak': 0.5,
  unknown: 0.4,
};

/** Stack depth at which the depth term saturates (Go prints up to 100 frames per goroutine). */
export const DEPTH_SATURATION = 50;
/** Jitter in milliseconds at which traceJitter reaches 1. */
export const JITTER_SATURATION_MS = 10_000;

export interface SignalBasis {
  failure: Failure | undefined;
  crashed: Goroutine | undefined;
  /** The class when there is no failure record (a leak read from profiles, a panic seen only in a trace). */
  leakClass: FailureClass | undefined;
  profiles: readonly ProfileFeatures[];
  trace: TraceFeatures | undefined;
}

export function computeSignals(basis: SignalBasis): Signals {
  return {
    panicScore: panicScore(basis),
    pprofEntropy: primaryProfile(basis.profiles)?.entropy ?? 1,
    traceJitter: traceJitter(basis.trace),
  };
}

/** 0.6 × class weight + 0.4 × min(1, depth / 50); 0 with neither a failure nor a leak. */
function panicScore(basis: SignalBasis): number {
  const cls = basis.failure?.class ?? basis.leakClass;
  if (cls === undefined) return 0;
  const depth = basis.crashed?.frames.length ?? 0;
  return clamp01(0.6 * CLASS_WEIGHT[cls] + 0.4 * Math.min(1, depth / DEPTH_SATURATION));
}

/** log10(1 + jitterMs) / log10(1 + 10 000): 1 ms ≈ 0.08, 100 ms ≈ 0.5, 10 s and more = 1; 0 without a trace. */
function traceJitter(trace: TraceFeatures | undefined): number {
  if (trace === undefined) return 0;
  return clamp01(Math.log10(1 + trace.jitterMs) / Math.log10(1 + JITTER_SATURATION_MS));
}

/**
 * The profile the entropy is read from: one that shows growth (the leak's), else CPU, else
 * in-use heap, else the first. Low entropy means the cost sits in few functions.
 */
export function primaryProfile(profiles: readonly ProfileFeatures[]): ProfileFeatures | undefined {
  const grown = profiles.filter((p) => (p.growth?.stacks.length ?? 0) > 0);
  const order = ['goroutine', 'heap', 'allocs', 'cpu', 'mutex', 'block', 'threadcreate'];
  return (
    grown.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))[0] ??
    profiles.find((p) => p.kind === 'cpu') ??
    profiles.find((p) => p.kind === 'heap') ??
    profiles[0]
  );
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
