/** Scoring one incident's run against its fixture's expected.json, and the corpus totals. */
import { packageLocalName } from '../core/go-names.js';
import type { CodeLocation, ExpectedOutcome } from '../core/model.js';
import type { RunState, StageName } from '../pipeline.js';

export interface EvalRow {
  id: string;
  expectedClass: string;
  /** Absent when the run stopped before a diagnosis. */
  diagnosedClass?: string;
  classRight: boolean;
  top1: boolean;
  top3: boolean;
  verified: boolean;
  /** `name:outcome` for each check of the focused verification. */
  checks: string[];
  timings: Partial<Record<StageName, number>>;
  /** Milliseconds from intake to a verified patch (the sum of stages up to verify), when verified. */
  timeToFixMs?: number;
  tokens?: number;
  costUsd?: number;
  /** Why the run ended without a fix, or the error that stopped it. */
  note?: string;
}

export interface EvalTotals {
  incidents: number;
  classAccuracy: number;
  top1: number;
  top3: number;
  verifiedRate: number;
  medianTimeToFixMs?: number;
  p95TimeToFixMs?: number;
  tokens: number;
  costUsd: number;
}

/** Functions match when their names agree after the import path (`example.com/a/b.(*T).M` ~ `b.(*T).M`). */
export function sameFunction(a: string, b: string): boolean {
  return packageLocalName(a) === packageLocalName(b);
}

export function locationMatches(location: CodeLocation, expected: ExpectedOutcome): boolean {
  const lineOk = expected.blamed.lines === undefined || expected.blamed.lines.includes(location.line);
  return (
    location.file === expected.blamed.file &&
    sameFunction(location.function, expected.blamed.function) &&
    lineOk
  );
}

export function scoreRun(
  id: string,
  state: RunState | undefined,
  expected: ExpectedOutcome,
  error?: string,
): EvalRow {
  const d = state?.diagnosis;
  const candidates = d ? [d.location, ...d.alternatives].slice(0, 3) : [];
  const verification = state?.chosen?.verification ?? state?.verifications?.[0];
  const verified = state?.outcome?.status === 'verified';
  const timings = state?.timings ?? {};
  const upToVerify: StageName[] = ['checkout', 'ingest', 'diagnose', 'patch', 'verify'];
  const row: EvalRow = {
    id,
    expectedClass: expected.class,
    classRight: d?.rootCauseClass === expected.class,
    top1: candidates[0] !== undefined && locationMatches(candidates[0], expected),
    top3: candidates.some((c) => locationMatches(c, expected)),
    verified,
    checks: verification?.checks.map((c) => `${c.name}:${c.outcome}`) ?? [],
    timings,
  };
  if (d) row.diagnosedClass = d.rootCauseClass;
  if (verified) row.timeToFixMs = upToVerify.reduce((sum, stage) => sum + (timings[stage] ?? 0), 0);
  if (d?.usage) {
    row.tokens = d.usage.promptTokens + d.usage.completionTokens;
    if (d.usage.costUsd !== undefined) row.costUsd = d.usage.costUsd;
  }
  const note = error ?? (verified ? undefined : state?.outcome?.reason);
  if (note !== undefined) row.note = note;
  return row;
}

export function totals(rows: EvalRow[]): EvalTotals {
  const share = (pick: (r: EvalRow) => boolean) =>
    rows.length === 0 ? 0 : rows.filter(pick).length / rows.length;
  const times = rows
    .flatMap((r) => (r.timeToFixMs === undefined ? [] : [r.timeToFixMs]))
    .sort((a, b) => a - b);
  const result: EvalTotals = {
    incidents: rows.length,
    classAccuracy: share((r) => r.classRight),
    top1: share((r) => r.top1),
    top3: share((r) => r.top3),
    verifiedRate: share((r) => r.verified),
    tokens: rows.reduce((s, r) => s + (r.tokens ?? 0), 0),
    costUsd: rows.reduce((s, r) => s + (r.costUsd ?? 0), 0),
  };
  const median = percentile(times, 0.5);
  const p95 = percentile(times, 0.95);
  if (median !== undefined) result.medianTimeToFixMs = median;
  if (p95 !== undefined) result.p95TimeToFixMs = p95;
  return result;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
