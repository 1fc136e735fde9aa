/**
 * The verdict rules: `verified` only when build, vet, the selected tests and the reproduction pass
 * and the differential replay shows no unexplained difference; `rejected` naming the failing check;
 * `inconclusive` naming the check that could not run and why.
 */
import type { Check, Verification } from '../core/model.js';

export function decideVerdict(checks: readonly Check[]): Pick<Verification, 'verdict' | 'reason'> {
  const failed = checks.find((c) => c.outcome === 'fail');
  if (failed) {
    return { verdict: 'rejected', reason: `${failed.name} failed: ${failed.note ?? 'see its output'}.` };
  }
  const errored = checks.filter((c) => c.outcome === 'error');
  if (errored.length > 0) {
    const list = errored.map((c) => `${c.name} (${c.note ?? 'no reason given'})`).join('; ');
    return { verdict: 'inconclusive', reason: `could not complete: ${list}.` };
  }
  const passed = (name: Check['name']) => checks.some((c) => c.name === name && c.outcome === 'pass');
  for (const required of ['apply', 'build'] as const) {
    if (!passed(required)) return { verdict: 'inconclusive', reason: `${required} did not run.` };
  }
  // The incident must be shown reproduced and fixed by at least one of the two ways of replaying it.
  if (!passed('reproduction') && !passed('replay')) {
    return {
      verdict: 'inconclusive',
      reason:
        'nothing showed the incident fixed: the patch has no regression test and the incident recorded no triggering request.',
    };
  }
  const ran = checks.filter((c) => c.outcome === 'pass').map((c) => c.name);
  const skipped = checks
    .filter((c) => c.outcome === 'skipped')
    .map((c) => `${c.name}: ${c.note ?? 'skipped'}`);
  return {
    verdict: 'verified',
    reason: `passed ${ran.join(', ')}${skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : ''}.`,
  };
}
