/** Words for the rollout's progress lines and decisions: one line per round of readings, one sentence per failure. */
import type { MedicError } from '../core/errors.js';
import type { GateReading, Rollout, RolloutStep } from '../core/model.js';
import { formatDuration } from './plan.js';

export function describeFailure(reading: GateReading, rollout: Rollout): string {
  const window = formatDuration(rollout.gates.windowSeconds);
  const stable = (text: string) => (reading.baseline === undefined ? '' : `, stable ${text}`);
  switch (reading.gate) {
    case 'signature':
      return `the incident's failure (${rollout.signature ?? 'its signature'}) came back: seen ${reading.value} time(s) in the canary's output`;
    case 'error-rate':
      return `canary error rate ${percent(reading.value)} over ${window} is above ${percent(reading.threshold)}${stable(percent(reading.baseline ?? 0))}; ${Math.floor(reading.samples ?? 0)} requests`;
    case 'latency-p99':
      return `canary p99 latency ${ms(reading.value)} over ${window} is above ${ms(reading.threshold)}${stable(ms(reading.baseline ?? 0))}`;
  }
}

/** `step 2/4 (25 %): error-rate 0.00 % (stable 1.20 %) · p99 4.1 ms (stable 3.9 ms) · signature 0 · 57 requests`. */
export function describeRound(
  rollout: Rollout,
  step: RolloutStep,
  readings: readonly GateReading[],
  samples: number,
  error: MedicError | undefined,
): string {
  const minRequests = rollout.gates.minRequests ?? 0;
  const parts = readings.map((r) => {
    const base = r.baseline === undefined ? '' : ` (stable ${format(r, r.baseline)})`;
    const early = r.gate !== 'signature' && (r.samples ?? 0) < minRequests;
    return `${r.gate} ${format(r, r.value)}${base}${r.ok ? '' : early ? ' (above, too few requests to judge)' : ' FAIL'}`;
  });
  if (error) parts.push(`gates unreadable: ${error.code}`);
  else if (samples <= 0) parts.push('no canary traffic in the window yet');
  else parts.push(`${Math.floor(samples)} requests`);
  return `step ${step.index + 1}/${rollout.plan.length} (${step.weight} %): ${parts.join(' · ')}`;
}

function format(reading: GateReading, value: number): string {
  if (reading.gate === 'error-rate') return percent(value);
  if (reading.gate === 'latency-p99') return ms(value);
  return String(value);
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)} %`;
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}
