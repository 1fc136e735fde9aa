/** The human form of an Evidence record: class, signature, signals, suspects with reasons, profile and trace highlights. */
import type { Evidence, ProfileFeatures } from '../core/model.js';
import { at, clip, formatValue, percent, seconds, shortFunction } from './format.js';

export function renderEvidence(e: Evidence, maxSuspects = 5): string {
  const out: string[] = [];
  const f = e.failure;
  out.push(`incident   ${e.incidentId}`);
  out.push(
    `class      ${e.class ?? f?.class ?? 'unknown'} (${f ? `${f.kind}${f.message.trim() ? `: ${clip(f.message, 90)}` : ''}` : 'no panic output: read from profiles or trace'})`,
  );
  out.push(`signature  ${e.signature}`);
  out.push(
    `signals    panicScore ${e.signals.panicScore.toFixed(2)}  pprofEntropy ${e.signals.pprofEntropy.toFixed(2)}  traceJitter ${e.signals.traceJitter.toFixed(2)}`,
  );
  if (e.otherFailures.length > 0)
    out.push(`also       ${e.otherFailures.length} other failure(s) or dump(s)`);
  out.push('', 'suspects');
  if (e.suspects.length === 0) out.push('  (none in the repository)');
  e.suspects.slice(0, maxSuspects).forEach((s, i) => {
    out.push(`  ${i + 1}. ${at(s.location)}  score ${s.score.toFixed(2)}`);
    for (const r of s.reasons) out.push(`       ${r.evidenceId} ${r.source}: ${r.detail}`);
  });
  if (e.profiles.length > 0) {
    out.push('', 'profiles');
    for (const p of e.profiles) out.push(...profileLines(p));
  }
  const t = e.trace;
  if (t) {
    out.push('', `trace      ${t.artifact}${t.generated ? ' (generated)' : ''}`);
    out.push(
      `  ${t.eventCount} events over ${seconds(t.durationNs / 1e9)}, jitter ${t.jitterMs.toFixed(2)} ms, ${t.duplicatesRemoved} duplicates removed`,
    );
    const probes = t.probes
      .filter((p) => p.count > 0)
      .map((p) => `${p.probe} ${p.count} (${p.ratePerSec.toFixed(1)}/s)`);
    if (probes.length > 0) out.push(`  ${probes.join(', ')}`);
    for (const s of t.spawnSites.filter((x) => x.outlier)) out.push(`  spawn outlier: ${s.site} ×${s.count}`);
    if (t.panic)
      out.push(`  panic in goroutine ${t.panic.goid}: ${t.panic.type} "${clip(t.panic.message, 80)}"`);
  }
  out.push('', 'evidence');
  for (const item of e.items) out.push(`  ${item.id.padEnd(4)} ${item.source.padEnd(9)} ${item.summary}`);
  return `${out.join('\n')}\n`;
}

function profileLines(p: ProfileFeatures): string[] {
  const unit = p.valueType.unit;
  const lines = [
    `  ${p.artifact}  ${p.kind} ${p.valueType.type}: total ${formatValue(p.total, unit)}, entropy ${p.entropy.toFixed(2)}`,
  ];
  for (const s of p.topFlat.slice(0, 3)) {
    lines.push(
      `    flat ${percent(s.flatShare).padStart(4)}  ${shortFunction(s.function)} (${s.repoFile ?? s.file}:${s.line})`,
    );
  }
  const app = p.topApplication?.[0];
  if (app?.repoFile)
    lines.push(
      `    app  ${percent(app.flatShare).padStart(4)}  ${shortFunction(app.function)} (${app.repoFile}:${app.line})`,
    );
  const g = p.growth;
  if (g) {
    const total =
      g.totalBefore === undefined || g.totalAfter === undefined
        ? ''
        : ` ${formatValue(g.totalBefore, unit)} → ${formatValue(g.totalAfter, unit)}`;
    lines.push(`    growth vs ${g.baselineArtifact} over ${seconds(g.intervalSeconds)}:${total}`);
    for (const s of g.stacks.slice(0, 3)) {
      const where = s.site ? at(s.site) : shortFunction(s.leaf.function);
      lines.push(`      +${formatValue(s.delta, unit)} (${formatValue(s.perMinute, unit)}/min) ${where}`);
    }
  }
  return lines;
}
