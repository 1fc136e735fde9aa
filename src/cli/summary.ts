/** The human summary `medic replay` prints when a run ends: root cause, location, diff, checks, outcome. */
import type { RunState } from '../pipeline.js';
import { reportRecords } from '../pipeline.js';
import { focusPatch } from '../report/index.js';

const mark = { pass: '✔', fail: '✖', skipped: '−', error: '!' } as const;

export function renderSummary(state: RunState, outDir: string): string {
  const out: string[] = [];
  const { incident } = state.source;
  out.push(`Incident ${incident.id} (${incident.service.name})`);
  const d = state.diagnosis;
  if (d) {
    out.push(
      `Root cause: ${d.rootCauseClass} at ${d.location.file}:${d.location.line}`,
      `  in ${d.location.function}`,
      `  ${d.summary}`,
      `  confidence ${d.confidence.toFixed(2)} (${d.provider}${d.model ? ` ${d.model}` : ''})`,
    );
  }
  const { patch, verification } = focusPatch(reportRecords(state));
  if (patch) {
    out.push(
      '',
      `Fix: ${patch.strategy} (candidate ${patch.rank}): ${patch.explanation}`,
      '',
      patch.diff.trimEnd(),
    );
  }
  if (verification) {
    out.push('', `Verification: ${verification.verdict} (isolation: ${verification.isolation.kind})`);
    const width = Math.max(...verification.checks.map((c) => c.name.length));
    for (const c of verification.checks) {
      const time = `${(c.durationMs / 1000).toFixed(2)} s`.padStart(9);
      out.push(`  ${mark[c.outcome]} ${c.name.padEnd(width)} ${time}  ${c.command.join(' ')}`);
      if (c.outcome === 'fail' || c.outcome === 'error') {
        for (const line of c.excerpt.trimEnd().split('\n').slice(0, 12)) out.push(`      ${line}`);
      }
    }
  }
  out.push('');
  if (state.outcome?.status === 'verified' && state.proposal) {
    out.push(
      `Verified fix on branch ${state.proposal.branch} (commit ${state.proposal.commit.slice(0, 12)}).`,
    );
  } else {
    out.push(`No verified fix. ${state.outcome?.reason ?? ''}`.trimEnd());
  }
  out.push(`Records and report: ${outDir}`);
  return `${out.join('\n')}\n`;
}
