/** The self-contained HTML incident report (one file, inline CSS and SVG, no scripts, no network). */
import type { ProfileFeatures } from '../../core/model.js';
import { focusPatch, type ReportRecords } from '../records.js';
import { checksMatrix } from './checks.js';
import { diffHtml } from './diff.js';
import { esc, formatMs } from './escape.js';
import { evidenceList, failureSection, rootCauseSection } from './evidence.js';
import { flameSvg, growthTree } from './flame.js';
import { gateCharts, planTable } from './gates.js';
import { css } from './style.js';
import { timelineSvg } from './timeline.js';

interface Section {
  id: string;
  title: string;
  body: string;
}

export function renderHtml(records: ReportRecords): string {
  const { incident, evidence, diagnosis, outcome } = records;
  const sections: Section[] = [];
  if (evidence?.failure)
    sections.push({ id: 'failure', title: 'Failure', body: failureSection(evidence.failure) });
  const profiles = (evidence?.profiles ?? []).map(profileBlock).filter((b) => b !== '');
  if (profiles.length) sections.push({ id: 'profiles', title: 'Profiles', body: profiles.join('') });
  if (evidence?.trace)
    sections.push({ id: 'timeline', title: 'Timeline', body: timelineSvg(evidence.trace) });
  if (diagnosis)
    sections.push({ id: 'root-cause', title: 'Root cause', body: rootCauseSection(diagnosis, evidence) });
  if (evidence) sections.push({ id: 'evidence', title: 'Evidence', body: evidenceList(evidence) });
  const { patch } = focusPatch(records);
  if (patch) {
    const ops = patch.operations
      .map((o) => `<li>${o.lastResort ? '<b>last resort</b> ' : ''}${esc(o.explanation)}</li>`)
      .join('');
    const test = patch.regressionTest
      ? `<p>Regression test <code>${esc(patch.regressionTest.name)}</code> in <code>${esc(patch.regressionTest.file)}</code></p>`
      : '';
    sections.push({
      id: 'fix',
      title: 'The fix',
      body: `<p>Candidate ${patch.rank}, strategy <code>${esc(patch.strategy)}</code>: ${esc(patch.explanation)}</p><ul>${ops}</ul>${diffHtml(patch.diff)}${test}`,
    });
  }
  if (records.verifications) {
    sections.push({ id: 'verification', title: 'Verification', body: checksMatrix(records.verifications) });
  }
  if (records.rollout) sections.push({ id: 'rollout', title: 'Rollout', body: gateCharts(records.rollout) });
  else if (records.rolloutPlan && outcome.status === 'verified') {
    sections.push({ id: 'rollout', title: 'Rollout plan', body: planTable(records.rolloutPlan) });
  }
  if (records.proposal) {
    const p = records.proposal;
    sections.push({
      id: 'proposal',
      title: 'Proposal',
      body: `<p>Branch <code>${esc(p.branch)}</code> at <code>${esc(p.commit.slice(0, 12))}</code> (${esc(p.provider)})${p.url ? `: ${esc(p.url)}` : ''}</p>`,
    });
  }
  if (records.timings) {
    const rows = Object.entries(records.timings)
      .map(([stage, ms]) => `<tr><td>${esc(stage)}</td><td>${formatMs(ms)}</td></tr>`)
      .join('');
    sections.push({ id: 'timings', title: 'Time per stage', body: `<table>${rows}</table>` });
  }
  const nav = sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('');
  const body = sections
    .map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>${s.body}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Medic: ${esc(incident.id)}</title><style>${css}</style></head>
<body><header><h1>Incident ${esc(incident.id)}: ${esc(incident.service.name)}</h1>
<p><span class="badge ${outcome.status}">${outcome.status === 'verified' ? 'verified fix' : 'no verified fix'}</span> ${esc(outcome.reason)}</p>
<p class="muted">received ${esc(incident.receivedAt)} from ${esc(incident.source)}</p><nav>${nav}</nav></header>
${body}
</body></html>
`;
}

function profileBlock(profile: ProfileFeatures, index: number): string {
  const unit = profile.valueType.unit;
  const parts: string[] = [];
  const name = `${profile.kind} profile (${profile.valueType.type}, ${profile.artifact})`;
  if (profile.flame)
    parts.push(flameSvg(profile.flame, { title: `Flame graph: ${name}`, unit, id: `flame-${index}` }));
  if (profile.growth && profile.growth.stacks.length > 0) {
    const tree = growthTree(profile.growth.stacks);
    const title = `Differential flame graph: growth over ${profile.growth.intervalSeconds.toFixed(0)} s since ${profile.growth.baselineArtifact}`;
    parts.push(flameSvg(tree, { title, unit, id: `growth-${index}` }));
  }
  if (parts.length === 0 && profile.topFlat.length > 0) {
    const rows = profile.topFlat
      .slice(0, 10)
      .map(
        (f) =>
          `<tr><td><code>${esc(f.function)}</code></td><td>${(f.flatShare * 100).toFixed(1)} %</td></tr>`,
      )
      .join('');
    parts.push(`<p>Top functions, ${esc(name)}</p><table>${rows}</table>`);
  }
  return parts.join('');
}
