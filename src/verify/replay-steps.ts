/**
 * Service replay steps: a fresh server on a list of requests, the triggering request, and how a
 * replay of the trigger is judged. Most failures show in the answer
 * or in what the server printed; a leak shows in neither (the answer is the same timeout or
 * conflict before and after the fix), so for leaks the request is sent as a burst and the service's
 * own pprof endpoint is read before and after: goroutines or live heap that stay are the leak.
 */
import type { FailureClass, ReplayRequest } from '../core/model.js';
import { classifyOutput, type ObservedFailure, sameFailure } from './classify.js';
import type { ReplayContext } from './replay.js';
import { type ReplayResult, type ReplayStep, sandboxEnv, withoutSecrets } from './sandbox/index.js';

/** One fresh server per request list; `env` adds e.g. GOMAXPROCS for the concurrency runs. */
export function serverStep(
  ctx: ReplayContext,
  side: 'original' | 'patched',
  requests: ReplayRequest[],
  env: Record<string, string> = {},
): ReplayStep {
  const tmp = side === 'original' ? ctx.baseline.tmpDir : ctx.cand.tmpDir;
  const service = ctx.incident.service;
  return {
    kind: 'replay',
    argv: [side === 'original' ? ctx.original : ctx.patched, ...service.run.args],
    cwd: side === 'original' ? ctx.baseline.dir : ctx.cand.dir,
    env: sandboxEnv({ ...withoutSecrets(service.run.env).env, TMPDIR: tmp, HOME: tmp, ...env }),
    // Race builds reserve far more address space than they use.
    limits: {
      cpuSeconds: 120,
      memoryBytes: ctx.race ? null : 4 * 1024 ** 3,
      fileBytes: 256 * 1024 * 1024,
      openFiles: 1024,
    },
    requests,
  };
}

interface LeakProbe {
  path: string;
  metric: 'goroutines' | 'heap-bytes';
  settleMs: number;
  /** The smallest growth that counts as a leak, given how many copies were sent. */
  threshold(copies: number, before: number): number;
}

const LEAK_PROBES: Partial<Record<FailureClass, LeakProbe>> = {
  // A leaked goroutine per request or so; work still in flight settles within the window.
  'goroutine-leak': {
    path: '/debug/pprof/goroutine?debug=1',
    metric: 'goroutines',
    settleMs: 2_000,
    threshold: (copies) => Math.max(5, Math.ceil(copies / 4)),
  },
  // Live heap after a forced GC; a quarter more than at start (and at least 1 MiB) is retained memory.
  'heap-leak': {
    path: '/debug/pprof/heap?debug=1&gc=1',
    metric: 'heap-bytes',
    settleMs: 1_000,
    threshold: (_copies, before) => Math.max(1024 * 1024, before / 4),
  },
};

/** How long a server stays up after answering the trigger, for failures in background goroutines. */
const TRIGGER_LINGER_MS = 1_000;

/** Copies sent when a leak's trigger was recorded as a single request: enough for growth to show. */
const LEAK_BURST = { concurrency: 8, rounds: 25 };

function probeFor(expected: FailureClass | undefined): LeakProbe | undefined {
  return expected === undefined ? undefined : LEAK_PROBES[expected];
}

function copiesOf(req: ReplayRequest): number {
  return req.burst ? req.burst.concurrency * req.burst.rounds : 1;
}

/** The trigger on a fresh server of one side (with the leak probe for leak classes). */
export function triggerStep(
  ctx: ReplayContext,
  side: 'original' | 'patched',
  trigger: ReplayRequest,
  env: Record<string, string> = {},
): ReplayStep {
  const probe = probeFor(ctx.expected);
  if (probe === undefined) return { ...serverStep(ctx, side, [trigger], env), lingerMs: TRIGGER_LINGER_MS };
  const burst = trigger.burst ?? LEAK_BURST;
  return {
    ...serverStep(ctx, side, [{ ...trigger, burst }], env),
    probe: { path: probe.path, metric: probe.metric, settleMs: probe.settleMs },
  };
}

export interface Judgement {
  /** The run failed at all (what the patched build must not do). */
  failed: boolean;
  /** It failed the way the incident did (what the original must do). */
  incidentWay: boolean;
  /** One line for the record: the failure printed, the answer, or the leak's readings. */
  summary: string;
  observed?: ObservedFailure;
  /** The leak could not be measured (no pprof endpoint): the replay cannot tell. */
  unmeasured?: string;
}

function answered(result: ReplayResult): string {
  const r = result.responses[0];
  if (r === undefined) return 'no answer';
  return 'error' in r ? `no answer (${r.error})` : `${r.status}`;
}

/** Judges one replay of the trigger. */
export function judgeTrigger(
  ctx: ReplayContext,
  trigger: ReplayRequest,
  result: ReplayResult | undefined,
): Judgement {
  if (!result?.started)
    return { failed: true, incidentWay: false, summary: 'the service did not start accepting connections' };
  const observed = classifyOutput(`${result.stderr}${result.stdout}`);
  const probe = probeFor(ctx.expected);
  if (probe !== undefined) {
    const reading = result.probe;
    if (reading === undefined || 'error' in reading) {
      const why = reading && 'error' in reading ? reading.error : 'no reading';
      return {
        failed: observed !== undefined,
        incidentWay: false,
        summary: why,
        unmeasured: `the leak could not be measured: ${why}`,
      };
    }
    const copies = copiesOf({ ...trigger, burst: trigger.burst ?? LEAK_BURST });
    const growth = reading.after - reading.before;
    const leaked = growth >= probe.threshold(copies, reading.before);
    const summary = `${probe.metric} ${reading.before} -> ${reading.after} after ${copies} requests`;
    return {
      failed: leaked || observed !== undefined,
      incidentWay: leaked,
      summary,
      ...(observed ? { observed } : {}),
    };
  }
  const answer = answered(result);
  const response = result.responses[0];
  const failed =
    observed !== undefined || response === undefined || 'error' in response || response.status >= 500;
  const incidentWay = observed
    ? sameFailure(observed.class, ctx.expected)
    : ctx.expected === undefined && failed;
  return {
    failed,
    incidentWay,
    summary: observed?.line ?? `answered ${answer}`,
    ...(observed ? { observed } : {}),
  };
}
