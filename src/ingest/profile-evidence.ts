/** Evidence items and suspects from profiles: leaks read from growth, leaking creation sites, hot application code. */
import type { FailureClass, ProfileFeatures } from '../core/model.js';
import type { EvidenceContext } from './evidence-context.js';
import { at, formatValue, percent, seconds, shortFunction } from './format.js';
import { WEIGHT } from './suspects.js';

/** A goroutine leak: the count grew by at least this many and by this factor between two profiles. */
export const GOROUTINE_LEAK_MIN = 10;
export const GOROUTINE_LEAK_RATIO = 1.2;
/** A heap leak: in-use bytes grew by at least 1 MiB and by this factor. */
export const HEAP_LEAK_MIN_BYTES = 1024 * 1024;
export const HEAP_LEAK_RATIO = 1.1;

export interface Leak {
  class: Extract<FailureClass, 'goroutine-leak' | 'heap-leak'>;
  profile: ProfileFeatures;
  /** totalAfter / totalBefore (Infinity from zero). */
  ratio: number;
}

/** Profiles whose growth crosses the leak thresholds, strongest (largest ratio) first. */
export function findLeaks(profiles: readonly ProfileFeatures[]): Leak[] {
  const leaks: Leak[] = [];
  for (const p of profiles) {
    const g = p.growth;
    if (!g || g.totalBefore === undefined || g.totalAfter === undefined || g.stacks.length === 0) continue;
    const delta = g.totalAfter - g.totalBefore;
    const ratio = g.totalBefore > 0 ? g.totalAfter / g.totalBefore : Number.POSITIVE_INFINITY;
    if (p.kind === 'goroutine' && delta >= GOROUTINE_LEAK_MIN && ratio >= GOROUTINE_LEAK_RATIO) {
      leaks.push({ class: 'goroutine-leak', profile: p, ratio });
    }
    if (p.kind === 'heap' && p.valueType.type.startsWith('inuse') && ratio >= HEAP_LEAK_RATIO) {
      if (p.valueType.unit !== 'bytes' || delta >= HEAP_LEAK_MIN_BYTES)
        leaks.push({ class: 'heap-leak', profile: p, ratio });
    }
  }
  return leaks.sort((a, b) => b.ratio - a.ratio);
}

/**
 * The functions that name a leak in its signature: the creation site that added the most
 * goroutines and the application frames of the stack that grew the most. Only the leading
 * stack: smaller growth (sampling noise, the profiler's own allocations) ranks differently from
 * run to run and would split one leak's dedup key.
 */
export function leadingLeakFunctions(p: Pick<ProfileFeatures, 'creationSites' | 'growth'>): string[] {
  const site = p.creationSites?.find((c) => (c.delta ?? 0) > 0 && c.repoFile);
  const stack = p.growth?.stacks.find((s) => s.site);
  return [
    ...(site ? [site.function] : []),
    ...(stack?.site ? [stack.site, ...(stack.callers ?? [])].map((c) => c.function) : []),
  ];
}

/** `baseline`: a later profile of the kind was compared with this one (its growth says the rest). */
export function profileEvidence(
  ctx: EvidenceContext,
  p: ProfileFeatures,
  leaking: boolean,
  baseline = false,
): void {
  const { log } = ctx;
  const unit = p.valueType.unit;
  const hottest = p.topFlat[0];
  log.add(
    'pprof',
    `${p.artifact} (${p.kind === p.valueType.type ? p.kind : `${p.kind}, ${p.valueType.type}`}): total ${formatValue(p.total, unit)}, normalised entropy ${p.entropy.toFixed(2)}` +
      (hottest ? `, most flat in ${shortFunction(hottest.function)} (${percent(hottest.flatShare)})` : ''),
    p.artifact,
  );
  growthEvidence(ctx, p, leaking);
  creationEvidence(ctx, p, leaking);
  // Goroutine counts are only a hint without growth; a baseline's hot code is repeated by the later profile.
  if ((p.kind === 'goroutine' && !p.growth) || baseline) return;
  for (const stat of (p.topApplication ?? []).slice(0, 3)) {
    if (stat.repoFile === undefined || stat.line < 1 || stat.flatShare < 0.05) continue;
    const loc = { file: stat.repoFile, line: stat.line, function: stat.function };
    const id = log.add(
      'pprof',
      `${p.artifact} (${p.kind}): ${at(loc)} is the innermost application frame of ${percent(stat.flatShare)} of ${measure(p)} (${formatValue(stat.flat, unit)} of ${formatValue(p.total, unit)})`,
      p.artifact,
      loc,
    );
    ctx.board.add(loc, WEIGHT.hotFunction * stat.flatShare, {
      source: 'pprof',
      detail: `${percent(stat.flatShare)} of ${measure(p)} ${p.kind === 'goroutine' ? 'wait' : 'is incurred'} here`,
      evidenceId: id,
    });
  }
}

function growthEvidence(ctx: EvidenceContext, p: ProfileFeatures, leaking: boolean): void {
  const g = p.growth;
  if (!g) return;
  const unit = p.valueType.unit;
  const grown = g.stacks.reduce((n, s) => n + s.delta, 0);
  const apart = g.intervalSeconds > 0 ? ` (${seconds(g.intervalSeconds)} apart)` : '';
  if (g.totalBefore !== undefined && g.totalAfter !== undefined) {
    log(
      ctx,
      p,
      `${p.artifact} vs ${g.baselineArtifact}${apart}: ${p.valueType.type} ${formatValue(g.totalBefore, unit)} → ${formatValue(g.totalAfter, unit)}`,
    );
  }
  for (const s of g.stacks.slice(0, 3)) {
    if (!s.site) continue;
    const rate = s.perMinute > 0 ? `, ${formatValue(s.perMinute, unit)}/min` : '';
    const id = ctx.log.add(
      'pprof',
      `${p.artifact} vs ${g.baselineArtifact}: ${p.valueType.type} of the stack through ${at(s.site)} grew ${formatValue(s.before, unit)} → ${formatValue(s.after, unit)} (+${formatValue(s.delta, unit)}${rate})`,
      p.artifact,
      s.site,
    );
    const kindWeight = leaking
      ? p.kind === 'goroutine'
        ? WEIGHT.leakSite
        : WEIGHT.growthSite
      : WEIGHT.hotFunction;
    const weight = kindWeight * (grown > 0 ? s.delta / grown : 0);
    const what = p.kind === 'goroutine' ? 'goroutines parked' : `${p.valueType.type} held`;
    ctx.board.add(s.site, weight, {
      source: 'pprof',
      detail: `${what} on this stack grew by ${formatValue(s.delta, unit)}`,
      evidenceId: id,
    });
    // What grew was asked for by the callers: a leak's fix is often there (a missing release).
    (s.callers ?? []).slice(0, 2).forEach((caller, i) => {
      ctx.board.add(caller, weight / (2 * (i + 1)), {
        source: 'pprof',
        detail: `caller on the stack whose ${p.valueType.type} grew by ${formatValue(s.delta, unit)}`,
        evidenceId: id,
      });
    });
  }
}

/** Goroutine dumps name where each goroutine was created: the `go` statements that leak. */
function creationEvidence(ctx: EvidenceContext, p: ProfileFeatures, leaking: boolean): void {
  const sites = (p.creationSites ?? []).filter((s) => s.repoFile !== undefined && s.line > 0);
  const added = sites.reduce((n, s) => n + Math.max(0, s.delta ?? 0), 0);
  for (const s of sites.slice(0, 3)) {
    if (p.growth && (s.delta ?? 0) <= 0) continue;
    const loc = { file: s.repoFile!, line: s.line, function: s.function };
    const change = s.before === undefined ? `${s.count}` : `${s.before} → ${s.count}`;
    const id = ctx.log.add(
      'pprof',
      `${p.artifact}: goroutines created by ${at(loc)}: ${change}${p.growth ? ` (vs ${p.growth.baselineArtifact})` : ''}`,
      p.artifact,
      loc,
    );
    const share = added > 0 ? Math.max(0, s.delta ?? 0) / added : s.count / Math.max(1, p.total);
    ctx.board.add(loc, (leaking ? WEIGHT.leakSite : WEIGHT.createdBy) * share, {
      source: 'pprof',
      detail: `creation site of ${s.delta === undefined ? s.count : `${s.delta} new`} goroutines`,
      evidenceId: id,
    });
  }
}

function log(ctx: EvidenceContext, p: ProfileFeatures, summary: string): string {
  return ctx.log.add('pprof', summary, p.artifact);
}

/** What a profile's value counts, in words. */
function measure(p: ProfileFeatures): string {
  const type = p.valueType.type;
  if (p.kind === 'cpu') return 'CPU time';
  if (p.kind === 'goroutine') return 'goroutines';
  if (p.kind === 'mutex' || p.kind === 'block')
    return `${p.kind} ${type === 'delay' ? 'delay' : 'contentions'}`;
  if (type.endsWith('_space')) return `${type.startsWith('inuse') ? 'in-use' : 'allocated'} bytes (${type})`;
  if (type.endsWith('_objects'))
    return `${type.startsWith('inuse') ? 'in-use' : 'allocated'} objects (${type})`;
  return `${p.kind} ${type}`;
}
