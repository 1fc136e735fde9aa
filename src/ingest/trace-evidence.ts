/** Evidence items and suspects from eBPF trace features: the panicking goroutine, spawn outliers, event timing. */
import type { CodeLocation, TraceFeatures, TraceFrame } from '../core/model.js';
import type { EvidenceContext } from './evidence-context.js';
import { at, clip, seconds, shortFunction } from './format.js';
import { WEIGHT } from './suspects.js';

function traceLocation(frame: TraceFrame | undefined, ctx: EvidenceContext): CodeLocation | undefined {
  if (!frame || frame.file === undefined || (frame.line ?? 0) < 1) return undefined;
  const file = ctx.repo.repoFileOf(frame.file, frame.function);
  return file === undefined ? undefined : { file, line: frame.line!, function: frame.function };
}

export function traceEvidence(ctx: EvidenceContext, t: TraceFeatures): void {
  const { log, board } = ctx;
  const origin = t.generated ? ' [generated, not from the collector]' : '';
  const gc =
    t.gc.count > 0
      ? `, ${t.gc.count} GC starts every ${t.gc.meanIntervalMs.toFixed(1)} ms (sd ${t.gc.stdIntervalMs.toFixed(1)} ms)`
      : '';
  log.add(
    'trace',
    `${t.artifact}${origin}: ${t.eventCount} events over ${seconds(t.durationNs / 1e9)}, jitter ${t.jitterMs.toFixed(2)} ms (mean gap ${t.meanGapMs.toFixed(2)} ms)${gc}, ${t.duplicatesRemoved} duplicate probe hits removed`,
    t.artifact,
  );
  if (t.panic) {
    const loc = t.panic.stack.map((f) => traceLocation(f, ctx)).find((l) => l !== undefined);
    const before = t.panic.before.filter((e) => e.function).map((e) => shortFunction(e.function!));
    const id = log.add(
      'trace',
      `${t.artifact}${origin}: goroutine ${t.panic.goid} panicked with ${t.panic.type} "${clip(t.panic.message)}"${loc ? ` at ${at(loc)}` : ''}${before.length > 0 ? `; just before it entered ${before.slice(-3).join(', ')}` : ''}`,
      t.artifact,
      loc,
    );
    if (loc) {
      board.add(loc, WEIGHT.tracePanic, {
        source: 'trace',
        detail: `the traced panic of goroutine ${t.panic.goid} was raised here`,
        evidenceId: id,
      });
    }
  }
  for (const site of t.spawnSites.filter((s) => s.outlier).slice(0, 3)) {
    const loc = traceLocation(site.frame, ctx);
    const id = log.add(
      'trace',
      `${t.artifact}${origin}: ${loc ? at(loc) : site.site} started ${site.count} goroutines (${site.ratePerSec.toFixed(1)}/s, z ${site.zScore.toFixed(1)}), far more than any other site`,
      t.artifact,
      loc,
    );
    if (loc) {
      board.add(loc, WEIGHT.spawnOutlier, {
        source: 'trace',
        detail: `spawns goroutines at an outlying rate (${site.count})`,
        evidenceId: id,
      });
    }
  }
}
