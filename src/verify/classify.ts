/**
 * The failure class a run printed (a test binary's or a server's output), so reproduction can
 * tell "fails the incident's way" from "fails some other way". Only the first failure counts.
 */
import type { FailureClass } from '../core/model.js';
import { parseFailures } from '../ingest/index.js';

export interface ObservedFailure {
  class: FailureClass;
  /** The line that names it. */
  line: string;
}

/** The class of the first failure in `output` (read by the traceback parser), or undefined when it shows none. */
export function classifyOutput(output: string): ObservedFailure | undefined {
  const failure = parseFailures(output)[0];
  if (failure === undefined) return undefined;
  const line = `${failure.kind === 'fatal' ? 'fatal error' : failure.kind}: ${failure.message.split('\n')[0] ?? ''}`;
  // `go test -timeout` turns a hang into "panic: test timed out": for verification that is a deadlock.
  if (failure.class === 'custom-panic' && failure.message.startsWith('test timed out'))
    return { class: 'deadlock', line };
  return { class: failure.class, line };
}

/** Whether an observed class counts as the incident's (a race and a concurrent map write are one family). */
export function sameFailure(observed: FailureClass, expected: FailureClass | undefined): boolean {
  if (expected === undefined || expected === 'unknown') return true;
  if (observed === expected) return true;
  const family = new Set<FailureClass>(['race', 'concurrent-map-write']);
  return family.has(observed) && family.has(expected);
}

/** Failure classes whose reproduction depends on scheduling, so one passing run proves little. */
export const CONCURRENCY_CLASSES: ReadonlySet<FailureClass> = new Set<FailureClass>([
  'race',
  'concurrent-map-write',
  'deadlock',
  'goroutine-leak',
  'closed-channel-close',
  'send-on-closed',
  'unlock-of-unlocked',
]);
