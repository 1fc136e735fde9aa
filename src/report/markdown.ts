/**
 * The Markdown rendering of an incident: `report.md` beside the records and, without the
 * run-only sections, the pull-request body. One renderer for both so they never drift.
 */
import type { Check, Diagnosis, Evidence, Verification } from '../core/model.js';
import { focusPatch, type ReportRecords } from './records.js';
import { rolloutOutcomeSection, rolloutPlanSection } from './rollout.js';

export interface MarkdownOptions {
  /** `pull-request` leaves out what only makes sense beside the run (timings, the proposal). */
  audience?: 'report' | 'pull-request';
}

export function renderMarkdown(records: ReportRecords, options: MarkdownOptions = {}): string {
  const audience = options.audience ?? 'report';
  const { incident, diagnosis, evidence, outcome } = records;
  const { patch, verification } = focusPatch(records);
  const out: string[] = [];
  if (audience === 'report') {
    out.push(`# Incident ${incident.id}: ${incident.service.name}`, '');
    const mark = outcome.status === 'verified' ? 'Verified fix' : 'No verified fix';
    out.push(`**${mark}.** ${outcome.reason}`, '');
  }
  if (diagnosis) out.push(...rootCause(diagnosis), ...evidenceChain(diagnosis, evidence));
  if (patch) {
    out.push(
      '## The fix',
      '',
      `Strategy \`${patch.strategy}\` (candidate ${patch.rank}): ${patch.explanation}`,
      '',
    );
    for (const op of patch.operations)
      out.push(`- ${op.lastResort ? '**last resort** ' : ''}${op.explanation}`);
    out.push('', '```diff', patch.diff.trimEnd(), '```', '');
    if (patch.regressionTest) {
      const t = patch.regressionTest;
      out.push(`Regression test \`${t.name}\` in \`${t.file}\`.`, '');
    }
  }
  if (verification) out.push(...checks(verification));
  const others = (records.verifications ?? []).filter((v) => v !== verification);
  if (others.length > 0) {
    out.push('### Other candidates', '');
    for (const v of others) out.push(`- candidate ${v.patchRank}: ${v.verdict} (${v.reason})`);
    out.push('');
  }
  if (records.rolloutPlan && verification?.verdict === 'verified') {
    out.push(...rolloutPlanSection(records.rolloutPlan, evidence?.signature));
  }
  if (records.rollout) out.push(...rolloutOutcomeSection(records.rollout));
  out.push('## Reproduce locally', '', '```sh', `medic replay <incident-dir>   # incident ${incident.id}`);
  if (patch?.regressionTest) {
    out.push(`go test -run '^${patch.regressionTest.name}$' ${patch.regressionTest.packageDir}`);
  }
  out.push('```', '');
  if (audience === 'report') {
    if (records.proposal) {
      const p = records.proposal;
      out.push(
        '## Proposal',
        '',
        `Branch \`${p.branch}\` at ${p.commit.slice(0, 12)} (${p.provider})${p.url ? `: ${p.url}` : ''}.`,
        '',
      );
    }
    if (records.timings) {
      out.push('## Time per stage', '', '| stage | ms |', '| --- | ---: |');
      for (const [stage, ms] of Object.entries(records.timings)) out.push(`| ${stage} | ${Math.round(ms)} |`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function rootCause(d: Diagnosis): string[] {
  const where = `\`${d.location.file}:${d.location.line}\` in \`${d.location.function}\``;
  const by =
    d.provider === 'llm'
      ? `LLM ${d.model ?? ''} (prompt ${d.promptVersion ?? '?'})`
      : `rules ${d.ruleVersion ?? ''}`;
  return [
    '## Root cause',
    '',
    `**${d.rootCauseClass}** at ${where}: ${d.summary}`,
    '',
    `- Mechanism: ${d.mechanism}`,
    `- Counterfactual: ${d.counterfactual}`,
    `- Confidence ${d.confidence.toFixed(2)}, diagnosed by ${by.trim()}.`,
    '',
  ];
}

function evidenceChain(d: Diagnosis, evidence: Evidence | undefined): string[] {
  const out = ['### Evidence', ''];
  for (const link of d.evidenceChain) {
    const item = evidence?.items.find((i) => i.id === link.evidenceId);
    const source = item?.artifact ? ` (${item.artifact})` : '';
    out.push(`- **${link.evidenceId}** ${link.claim}${item ? `: ${fence(item.summary)}${source}` : ''}`);
  }
  out.push('');
  return out;
}

function checks(v: Verification): string[] {
  const out = [
    '## Verification',
    '',
    `Verdict: **${v.verdict}**: ${v.reason} Isolation: ${v.isolation.kind} (${v.isolation.reason}).`,
    '',
    '| check | outcome | time | command |',
    '| --- | --- | ---: | --- |',
  ];
  for (const c of v.checks) {
    out.push(`| ${c.name} | ${c.outcome} | ${seconds(c)} | ${fence(c.command.join(' '))} |`);
  }
  out.push('');
  for (const c of v.checks.filter((c) => c.outcome === 'fail' || c.outcome === 'error')) {
    out.push(
      `<details><summary>${c.name}: ${c.note ?? c.outcome}</summary>`,
      '',
      '```',
      c.excerpt.trimEnd(),
      '```',
      '</details>',
      '',
    );
  }
  return out;
}

function seconds(c: Check): string {
  return `${(c.durationMs / 1000).toFixed(2)} s`;
}

/** Inline code that cannot be broken out of by backticks in untrusted text. */
function fence(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const ticks = '`'.repeat((oneLine.match(/`+/g) ?? []).reduce((m, s) => Math.max(m, s.length), 0) + 1);
  return `${ticks} ${oneLine} ${ticks}`;
}
