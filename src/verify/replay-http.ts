/**
 * HTTP replay: two fresh servers per build, one for the triggering request alone (as in production)
 * and one for the normal traffic in order. The trigger must fail the original the incident's way and
 * not the patched build; the traffic must get the same answers from both (differential replay).
 */
import type { ReplayRequest } from '../core/model.js';
import type { Baseline } from './baseline.js';
import { type CheckRecorder, failureExcerpt, tail } from './checks.js';
import { classifyOutput } from './classify.js';
import type { ReplayContext } from './replay.js';
import { judgeTrigger, serverStep, triggerStep } from './replay-steps.js';
import { compareResponses, describeDifferences } from './response-diff.js';
import type { ReplayResult, ReplayStep } from './sandbox/index.js';

/** The trigger alone (as in production), then the normal traffic in order: two fresh servers. */
function steps(ctx: ReplayContext, side: 'original' | 'patched'): ReplayStep[] {
  const { trigger, traffic } = ctx.recorded;
  return [
    trigger ? triggerStep(ctx, side, trigger) : serverStep(ctx, side, []),
    serverStep(ctx, side, traffic),
  ];
}

const originalReplays = new WeakMap<Baseline, Promise<ReplayResult[]>>();

/** The original's answers are the same for every candidate: replayed once per baseline. */
function replayOriginal(ctx: ReplayContext): Promise<ReplayResult[]> {
  const { baseline } = ctx;
  let memo = originalReplays.get(baseline);
  if (memo === undefined) {
    memo = baseline.options.sandbox.replay(steps(ctx, 'original'), [baseline.dir]);
    originalReplays.set(baseline, memo);
  }
  return memo;
}

function answered(result: ReplayResult | undefined): string {
  const r = result?.responses[0];
  if (r === undefined) return 'no answer';
  return 'error' in r ? `no answer (${r.error})` : `${r.status}`;
}

export async function replayHttp(ctx: ReplayContext, rec: CheckRecorder): Promise<boolean> {
  const started = performance.now();
  const original = await replayOriginal(ctx);
  const { cand, recorded } = ctx;
  const patched = await ctx.baseline.options.sandbox.replay(steps(ctx, 'patched'), [cand.dir]);
  let triggerOk = true;
  if (recorded.trigger) {
    triggerOk = triggerCheck(
      ctx,
      recorded.trigger,
      original[0],
      patched[0],
      performance.now() - started,
      rec,
    );
  } else {
    rec.skip('replay', 'the incident recorded no triggering request');
  }
  const trafficOk = differentialCheck(recorded.traffic, original[1], patched[1], ctx.command, rec);
  return triggerOk && trafficOk;
}

function triggerCheck(
  ctx: ReplayContext,
  trigger: ReplayRequest,
  original: ReplayResult | undefined,
  patched: ReplayResult | undefined,
  durationMs: number,
  rec: CheckRecorder,
): boolean {
  const { command } = ctx;
  const origOut = `${original?.stderr ?? ''}${original?.stdout ?? ''}`;
  const before = judgeTrigger(ctx, trigger, original);
  if (!before.incidentWay) {
    const note =
      before.unmeasured ??
      (original?.started
        ? `the triggering request did not fail the original the incident's way (${before.summary})`
        : 'the original service did not start accepting connections');
    rec.add('replay', { command, outcome: 'error', durationMs, excerpt: tail(origOut, 20), note });
    return true;
  }
  const patchedOut = `${patched?.stderr ?? ''}${patched?.stdout ?? ''}`;
  const after = judgeTrigger(ctx, trigger, patched);
  const data = { original: before.summary, patched: after.summary, patchedAnswer: answered(patched) };
  if (after.unmeasured) {
    rec.add('replay', {
      command,
      outcome: 'error',
      durationMs,
      excerpt: tail(patchedOut, 20),
      note: after.unmeasured,
      data,
    });
    return true;
  }
  if (after.failed) {
    const note = patched?.started
      ? `the patched build still fails: ${after.summary}`
      : 'the patched service did not start';
    rec.add('replay', {
      command,
      outcome: 'fail',
      durationMs,
      excerpt: failureExcerpt(patchedOut || origOut),
      note,
      data,
    });
    return false;
  }
  rec.add('replay', {
    command,
    outcome: 'pass',
    durationMs,
    excerpt: failureExcerpt(origOut),
    note: `original: ${before.summary}; patched: ${after.summary}, no failure`,
    data,
  });
  return true;
}

function differentialCheck(
  traffic: readonly ReplayRequest[],
  original: ReplayResult | undefined,
  patched: ReplayResult | undefined,
  command: string[],
  rec: CheckRecorder,
): boolean {
  if (traffic.length === 0) {
    rec.skip('differential', 'the incident recorded no normal traffic');
    return true;
  }
  const durationMs = (original?.durationMs ?? 0) + (patched?.durationMs ?? 0);
  if (!original?.started || original.responses.length !== traffic.length) {
    rec.add('differential', {
      command,
      outcome: 'error',
      durationMs,
      excerpt: tail(original?.stderr ?? '', 20),
      note: 'the original service did not answer the recorded traffic',
    });
    return true;
  }
  const diffs = compareResponses(traffic, original.responses, patched?.responses ?? []);
  const blamed = diffs.filter((d) => d.explained === undefined);
  // A failure the original shows on the same traffic was there before the patch.
  const before = classifyOutput(original.stderr);
  const after = classifyOutput(patched?.stderr ?? '');
  const crash = after && after.class !== before?.class ? after : undefined;
  const data = {
    requests: traffic.length,
    differences: blamed.length,
    explained: diffs.length - blamed.length,
  };
  if (blamed.length > 0 || crash) {
    const note =
      crash && blamed.length === 0
        ? `the patched build fails on normal traffic: ${crash.line}`
        : `${blamed.length} unexplained differences in ${traffic.length} requests`;
    rec.add('differential', {
      command,
      outcome: 'fail',
      durationMs,
      excerpt: describeDifferences(diffs),
      note,
      data,
    });
    return false;
  }
  const explained =
    diffs.length > 0 ? ` (${diffs.length} differences explained as run-to-run variation)` : '';
  rec.add('differential', {
    command,
    outcome: 'pass',
    durationMs,
    excerpt: describeDifferences(diffs),
    note: `${traffic.length} recorded requests answered the same${explained}`,
    data,
  });
  return true;
}
