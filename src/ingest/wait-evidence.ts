/** Evidence from goroutines that wait (deadlocks, dumps, leaks): where they wait, who called, re-entered locks. */
import type { Failure, Frame, GoroutineBucket } from '../core/model.js';
import { appLocations, type EvidenceContext, frameLocation } from './evidence-context.js';
import { at, shortFunction } from './format.js';
import { WEIGHT } from './suspects.js';

/**
 * How much a wait state says about a hang: goroutines stuck on a lock or a channel are the
 * deadlock; one waiting on a WaitGroup or a timer is usually only waiting for those.
 */
export function waitWeight(state: string): number {
  if (/Mutex|RWMutex|semacquire|Lock/i.test(state) && !/WaitGroup/.test(state)) return 1;
  if (/chan |select/.test(state)) return 0.8;
  if (/WaitGroup|sleep|Cond/i.test(state)) return 0.3;
  return 0.5;
}

/** The largest groups of goroutines waiting alike: where they wait and who called, in the repo. */
export function bucketEvidence(ctx: EvidenceContext, failure: Failure, baseline?: Failure): void {
  const total = failure.goroutines.length;
  const buckets = [...failure.buckets].sort((a, b) => b.ids.length - a.ids.length).slice(0, 5);
  for (const bucket of buckets) {
    const [loc, ...callers] = appLocations(bucket.frames, ctx.repo);
    if (!loc || bucket.ids.length === 0) continue;
    const before = baseline ? sameBucketCount(baseline, bucket) : undefined;
    const grew = before === undefined ? '' : ` (${before} in ${baseline?.source.artifact})`;
    const id = ctx.log.add(
      'traceback',
      `${failure.source.artifact}: ${bucket.ids.length} of ${total} goroutines in state "${bucket.state}" at ${at(loc)}${grew}`,
      failure.source.artifact,
      loc,
    );
    const weight = WEIGHT.blockedBucket * waitWeight(bucket.state) * (bucket.ids.length / Math.max(1, total));
    ctx.board.add(loc, weight, {
      source: 'traceback',
      detail: `${bucket.ids.length} goroutine${bucket.ids.length === 1 ? '' : 's'} wait here ("${bucket.state}")`,
      evidenceId: id,
    });
    callers.slice(0, 2).forEach((caller, i) => {
      ctx.board.add(caller, weight / (2 * (i + 1)), {
        source: 'traceback',
        detail: `caller on the waiting stack of ${bucket.ids.length} goroutine${bucket.ids.length === 1 ? '' : 's'}`,
        evidenceId: id,
      });
    });
    reentrantLock(ctx, failure, bucket);
  }
}

/**
 * A goroutine waiting for a lock inside a method of type T, called from another method of T
 * further up its own stack, is the shape of a re-entered non-reentrant mutex: the outer method
 * usually holds the lock. The direct caller of the locking method is then the line to blame.
 */
function reentrantLock(ctx: EvidenceContext, failure: Failure, bucket: GoroutineBucket): void {
  if (waitWeight(bucket.state) < 1) return;
  const app = bucket.frames.filter((f) => frameLocation(f, ctx.repo) !== undefined);
  const [locker, caller] = app;
  if (!locker || !caller || locker.receiver === undefined) return;
  const holder = app.slice(1).find((f) => sameType(f, locker));
  const callerLoc = frameLocation(caller, ctx.repo);
  if (!holder || !callerLoc) return;
  const id = ctx.log.add(
    'traceback',
    `${failure.source.artifact}: ${shortFunction(locker.function)} waits for a lock while ${shortFunction(holder.function)}, a method of the same type, is further up the same stack; the call is at ${at(callerLoc)}`,
    failure.source.artifact,
    callerLoc,
  );
  ctx.board.add(callerLoc, WEIGHT.reentrantLock, {
    source: 'traceback',
    detail: `calls ${shortFunction(locker.function)}, which locks again, from inside ${shortFunction(holder.function)}`,
    evidenceId: id,
  });
}

function sameType(a: Frame, b: Frame): boolean {
  return a.receiver !== undefined && a.receiver === b.receiver && a.package === b.package;
}

function sameBucketCount(baseline: Failure, bucket: GoroutineBucket): number {
  const key = bucket.frames.map((f) => `${f.function}:${f.line}`).join('|');
  return baseline.buckets
    .filter((b) => b.frames.map((f) => `${f.function}:${f.line}`).join('|') === key)
    .reduce((n, b) => n + b.ids.length, 0);
}
