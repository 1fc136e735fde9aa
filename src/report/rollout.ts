/**
 * The rollout in Markdown: the plan a proposal will get once admitted (steps, bakes, gates and
 * who must approve; the pull-request body carries it) and, once a rollout ran, what happened.
 */
import type { GateReading, Rollout } from '../core/model.js';
import type { RolloutPlan } from './records.js';

export function rolloutPlanSection(plan: RolloutPlan, signature: string | undefined): string[] {
  const { gates } = plan;
  const out = [
    '## Rollout plan',
    '',
    `${admission(plan)}`,
    '',
    '| step | canary traffic | bake |',
    '| ---: | ---: | ---: |',
  ];
  plan.plan.forEach((step, i) => {
    out.push(`| ${i + 1} | ${step.weight} % | ${duration(step.bakeSeconds)} |`);
  });
  const window = duration(gates.windowSeconds);
  const every = gates.intervalSeconds === undefined ? '' : ` every ${duration(gates.intervalSeconds)}`;
  out.push(
    '',
    `During each bake the gates are read${every} from Prometheus over the last ${window}, canary against stable:`,
    '',
    `- **error rate**: roll back when more than ${percent(gates.maxErrorRate)} of the canary's requests answer 5xx;`,
    `- **p99 latency**: roll back when the canary's p99 is above ${gates.maxP99Ms} ms;`,
  );
  if (signature !== undefined) {
    out.push(
      `- **signature**: roll back at once when the canary prints this incident's failure again (\`${signature}\`).`,
    );
  } else {
    out.push('- **signature**: none (the incident left no failure signature to watch for).');
  }
  const min = gates.minRequests ?? 0;
  const hold =
    gates.maxHoldSeconds === undefined
      ? ''
      : ` A step that cannot show its gates for ${duration(gates.maxHoldSeconds)} past its bake (too little traffic, Prometheus unreadable) rolls back.`;
  out.push(
    '',
    `A step passes only on readings over at least ${min} canary requests.${hold} After the last step the fix replaces stable; a rollback sends all traffic to stable and stops the canary.`,
    '',
  );
  return out;
}

/** Who lets the rollout start, in one sentence. */
function admission(plan: RolloutPlan): string {
  const steps = `Medic rolls the fix out in ${plan.plan.length} step${plan.plan.length === 1 ? '' : 's'}`;
  if (plan.allowUnreviewed) {
    return `The operator allows unreviewed rollouts (\`rollout.allowUnreviewed\`): ${steps} without waiting for a review.`;
  }
  if (plan.provider === 'local') {
    return `This proposal has no review on a forge: ${steps} once an operator approves it (\`medic rollout --approve\`).`;
  }
  if (plan.approval === 'merged') return `Once this pull request is merged, ${steps}.`;
  return `Once this pull request is approved at its verified commit (a later push needs a new approval) or merged, ${steps}.`;
}

export function rolloutOutcomeSection(rollout: Rollout): string[] {
  const out = ['## Rollout', ''];
  const approval = rollout.approval
    ? ` Approved by ${rollout.approval.by} (${rollout.approval.kind}) at ${rollout.approval.at}.`
    : '';
  const commit = rollout.patch
    ? ` Commit ${rollout.patch.commit.slice(0, 12)} over ${rollout.patch.baseCommit.slice(0, 12)}`
    : '';
  out.push(
    `Outcome: **${rollout.outcome}**.${approval}${commit}${rollout.driver ? ` (driver ${rollout.driver})` : ''}${commit ? '.' : ''}`,
    '',
  );
  if (rollout.steps.length > 0) {
    out.push(
      '| step | canary traffic | readings | error rate | p99 | signature |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const step of rollout.steps) {
      const last = (gate: GateReading['gate']) => step.readings.filter((r) => r.gate === gate).at(-1);
      const cell = (r: GateReading | undefined, text: (v: number) => string) =>
        r === undefined ? '—' : `${text(r.value)}${r.ok ? '' : ' ✗'}`;
      out.push(
        `| ${step.index + 1} | ${step.weight} % | ${step.readings.length} | ${cell(last('error-rate'), percent)} | ${cell(last('latency-p99'), (v) => `${v.toFixed(1)} ms`)} | ${cell(last('signature'), String)} |`,
      );
    }
    out.push('');
  }
  for (const d of rollout.decisions) {
    out.push(`- ${d.at} step ${d.step + 1} **${d.decision}**: ${oneLine(d.reason)} (${d.by})`);
  }
  if (rollout.decisions.length > 0) out.push('');
  return out;
}

/** Seconds as `5m`, `1m30s`, `30s` or `500ms`. */
function duration(seconds: number): string {
  if (!Number.isInteger(seconds)) return `${Math.round(seconds * 1000)}ms`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m === 0) return `${s}s`;
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(2))} %`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
