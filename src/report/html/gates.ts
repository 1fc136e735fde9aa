/** Rollout gate readings as small line charts over time, with the threshold drawn and each decision marked; the plan before a rollout. */
import type { GateReading, Rollout } from '../../core/model.js';
import type { RolloutPlan } from '../records.js';
import { esc } from './escape.js';

const W = 560;
const H = 160;
const PAD = 36;

export function gateCharts(rollout: Rollout): string {
  const readings = rollout.steps.flatMap((s) =>
    s.readings.map((r) => ({ ...r, step: s.index, weight: s.weight })),
  );
  const gates = [...new Set(readings.map((r) => r.gate))];
  if (gates.length === 0) return '<p class="muted">No gate readings were taken.</p>';
  const charts = gates.map((gate) =>
    chart(
      gate,
      readings.filter((r) => r.gate === gate),
      rollout,
    ),
  );
  const decisions = rollout.decisions
    .map(
      (d) =>
        `<li>${esc(d.at)} step ${d.step}: <b>${esc(d.decision)}</b>: ${esc(d.reason)} (${esc(d.by)})</li>`,
    )
    .join('');
  return `<div class="gates">${charts.join('')}</div><p>Outcome: <b>${esc(rollout.outcome)}</b></p><ol class="decisions">${decisions}</ol>`;
}

function chart(
  gate: string,
  points: (GateReading & { step: number; weight: number })[],
  rollout: Rollout,
): string {
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const span = Math.max(Math.max(...times) - t0, 1);
  const threshold = points[0]?.threshold ?? 0;
  const top = Math.max(threshold * 1.25, ...points.map((p) => Math.max(p.value, p.baseline ?? 0)), 1e-9);
  const x = (t: number) => PAD + ((t - t0) / span) * (W - 2 * PAD);
  const y = (v: number) => H - PAD + 10 - (v / top) * (H - PAD - 10);
  const path = (pick: (p: GateReading) => number | undefined) =>
    points
      .map((p, i) => ({ v: pick(p), t: times[i] ?? t0 }))
      .filter((p): p is { v: number; t: number } => p.v !== undefined)
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`)
      .join(' ');
  const dots = points
    .map(
      (p, i) =>
        `<circle cx="${x(times[i] ?? t0).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" class="${p.ok ? 'ok' : 'bad'}"><title>step ${p.step} (${p.weight} %): ${p.value} at ${esc(p.at)}</title></circle>`,
    )
    .join('');
  const marks = rollout.decisions
    .filter((d) => d.decision !== 'continue')
    .map((d) => {
      const dx = x(Math.min(Math.max(Date.parse(d.at), t0), t0 + span)).toFixed(1);
      return `<line x1="${dx}" x2="${dx}" y1="10" y2="${H - PAD + 10}" class="decision"><title>${esc(d.decision)}: ${esc(d.reason)}</title></line>`;
    })
    .join('');
  return (
    `<figure class="gate" data-gate="${esc(gate)}"><figcaption>${esc(gate)} (threshold ${threshold})</figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" role="img" aria-label="${esc(gate)} over time">` +
    `<line x1="${PAD}" x2="${W - PAD}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}" class="threshold"/>` +
    `<path d="${path((p) => p.baseline)}" class="baseline"/><path d="${path((p) => p.value)}" class="canary"/>${dots}${marks}` +
    `<text x="${PAD}" y="${H - 4}" class="axis">${esc(new Date(t0).toISOString().slice(11, 19))}</text>` +
    `<text x="${W - PAD}" y="${H - 4}" class="axis" text-anchor="end">+${(span / 1000).toFixed(0)} s</text></svg></figure>`
  );
}

/** The planned steps and gate thresholds, for a fix not rolled out yet. */
export function planTable(plan: RolloutPlan): string {
  const rows = plan.plan
    .map((s, i) => `<tr><td>${i + 1}</td><td>${s.weight} %</td><td>${s.bakeSeconds} s</td></tr>`)
    .join('');
  const g = plan.gates;
  const who =
    plan.allowUnreviewed || plan.provider === 'local'
      ? 'an operator approves'
      : plan.approval === 'merged'
        ? 'the pull request is merged'
        : 'the pull request is approved at its verified commit, or merged';
  return (
    `<p>Starts once ${who}.</p><table><tr><th>step</th><th>canary traffic</th><th>bake</th></tr>${rows}</table>` +
    `<p>Rolls back above ${(g.maxErrorRate * 100).toFixed(2)} % errors or ${g.maxP99Ms} ms p99 over ${g.windowSeconds} s, or when the incident's signature shows in the canary's output.</p>`
  );
}
