/** Fusion: failures, profile features, trace features and git history into one Evidence record. */
import { createHash } from 'node:crypto';
import { IngestError } from '../core/errors.js';
import {
  Evidence,
  type Failure,
  type FailureClass,
  type ProfileFeatures,
  SCHEMA_VERSION,
  type TraceFeatures,
} from '../core/model.js';
import { type Progress, silent } from '../core/progress.js';
import { crashedGoroutine, type EvidenceContext } from './evidence-context.js';
import { failureEvidence } from './failure-evidence.js';
import { at, clip, shortFunction } from './format.js';
import type { GitHistory } from './git-changes.js';
import { findLeaks, type Leak, leadingLeakFunctions, profileEvidence } from './profile-evidence.js';
import type { RepoFiles } from './repo-files.js';
import { computeSignals } from './signals.js';
import { ItemLog, SuspectBoard, WEIGHT } from './suspects.js';
import { traceEvidence } from './trace-evidence.js';
import { classifyPanic } from './traceback/index.js';
import { bucketEvidence } from './wait-evidence.js';

export interface FuseInput {
  incidentId: string;
  /** Failures read from panic logs and logs, in artifact order. */
  failures: readonly Failure[];
  /** Goroutine dumps read as goroutine profiles, oldest first. */
  dumps: readonly Failure[];
  profiles: readonly ProfileFeatures[];
  trace: TraceFeatures | undefined;
  repo: RepoFiles;
  git: GitHistory | undefined;
  onProgress?: Progress;
}

/** Failures that say what broke come before dumps, which only say what was running. */
function orderFailures(failures: readonly Failure[]): Failure[] {
  return [...failures.filter((f) => f.kind !== 'dump'), ...failures.filter((f) => f.kind === 'dump')];
}

export async function fuse(input: FuseInput): Promise<Evidence> {
  const progress = input.onProgress ?? silent;
  const ctx: EvidenceContext = { log: new ItemLog(), board: new SuspectBoard(), repo: input.repo };
  const [primary, ...rest] = orderFailures(input.failures);
  const failure = primary?.kind === 'dump' ? undefined : primary;
  const leaks = findLeaks(input.profiles);
  const leak = leaks[0];
  if (!failure && !leak && !input.trace?.panic) {
    throw new IngestError(
      'MEDIC_ERR_INGEST_NO_FAILURE',
      `incident ${input.incidentId}: no panic, fatal error or race in the logs, no leak between profiles and no panic in the trace`,
    );
  }
  if (failure)
    failureEvidence(
      ctx,
      failure,
      rest.filter((f) => f.kind !== 'dump'),
    );
  // Dumps come as goroutine profiles (debug=2) or as logs; either says where goroutines wait.
  const dumps = [...input.dumps, ...input.failures.filter((f) => f.kind === 'dump')];
  const latestDump = dumps.at(-1);
  if (latestDump && (!failure || failure.class === 'goroutine-leak' || failure.class === 'deadlock')) {
    bucketEvidence(ctx, latestDump, input.dumps.length > 1 ? input.dumps[0] : undefined);
  }
  const baselines = new Set(input.profiles.flatMap((p) => (p.growth ? [p.growth.baselineArtifact] : [])));
  for (const p of input.profiles) {
    // A dump of the leaking kind names the creation sites of what leaked, even without a pair of its own.
    const leaking = leaks.some((l) => l.profile === p || (l.profile.kind === p.kind && p.creationSites));
    profileEvidence(ctx, p, leaking, baselines.has(p.artifact));
  }
  if (input.trace) traceEvidence(ctx, input.trace);
  if (input.git) {
    progress('reading recent changes around the suspects (git blame)');
    await gitEvidence(ctx, input.git);
  }
  // A panic seen only by the collector: its message says the class as the runtime's would.
  const tracePanic = input.trace?.panic;
  const cls: FailureClass =
    failure?.class ?? leak?.class ?? (tracePanic ? classifyPanic(tracePanic.message) : 'unknown');
  const suspects = ctx.board.ranked();
  const evidence = {
    schemaVersion: SCHEMA_VERSION,
    incidentId: input.incidentId,
    class: cls,
    ...(failure ? { failure } : {}),
    // The latest dump first: it shows the leak at its largest.
    otherFailures: [...input.failures.filter((f) => f !== failure), ...[...input.dumps].reverse()],
    profiles: [...input.profiles],
    ...(input.trace ? { trace: input.trace } : {}),
    signature:
      failure?.signature ?? synthesizedSignature(cls, signatureFunctions(leak, input.trace, input.repo)),
    signals: computeSignals({
      failure,
      crashed: failure ? crashedGoroutine(failure) : undefined,
      leakClass: failure ? undefined : cls,
      profiles: input.profiles,
      trace: input.trace,
    }),
    items: ctx.log.items,
    suspects,
  };
  return Evidence.parse(evidence);
}

/**
 * The traceback parser's form, `<class>:<16 hex>` over the class and up to three functions, for
 * failures with no failure record: the leak's leading stack, else the traced panic's stack.
 */
export function synthesizedSignature(cls: FailureClass, functions: readonly string[]): string {
  const top = [...new Set(functions)].slice(0, 3);
  const hash = createHash('sha256')
    .update(`${cls}\n${top.join('\n')}`)
    .digest('hex');
  return `${cls}:${hash.slice(0, 16)}`;
}

function signatureFunctions(
  leak: Leak | undefined,
  trace: TraceFeatures | undefined,
  repo: RepoFiles,
): string[] {
  if (leak) return leadingLeakFunctions(leak.profile);
  const stack = trace?.panic?.stack ?? [];
  return stack
    .filter((f) => f.file !== undefined && repo.repoFileOf(f.file, f.function) !== undefined)
    .map((f) => f.function);
}

/**
 * Lines changed recently in the functions of the leading suspects lift those suspects and
 * become suspects themselves: a fresh change near a crash is the usual root cause.
 */
async function gitEvidence(ctx: EvidenceContext, git: GitHistory): Promise<void> {
  const seen = new Set<string>();
  for (const suspect of ctx.board.ranked(5)) {
    const { file, function: fn } = suspect.location;
    if (seen.has(`${file}\u0000${fn}`)) continue;
    seen.add(`${file}\u0000${fn}`);
    const changes = await git.changesNear(suspect.location);
    const newest = changes[0];
    if (newest === undefined) continue;
    const changed = changes.filter((c) => c.commit === newest.commit).map((c) => c.line);
    const when =
      newest.recency < 0
        ? 'uncommitted edits in the working tree'
        : `commit ${newest.commit.slice(0, 12)} "${clip(newest.summary, 80)}" by ${clip(newest.author, 40)} on ${newest.date.slice(0, 10)}` +
          (newest.recency === 0 ? ', the newest commit' : `, ${newest.recency} commits before HEAD`);
    const loc = { file, line: newest.line, function: fn };
    const id = ctx.log.add(
      'git',
      `${file}:${lineList(changed)} in ${shortFunction(fn)} changed recently: ${when}`,
      undefined,
      loc,
    );
    const weight = WEIGHT.recentChange / (1 + Math.max(0, newest.recency));
    const reason = {
      source: 'git' as const,
      detail: `${at(loc)} changed recently (${when.split(' "')[0]})`,
      evidenceId: id,
    };
    ctx.board.boostFunction(file, fn, weight, reason);
    if (!ctx.board.has(loc)) ctx.board.add(loc, weight, reason);
  }
}

/** `12,14-16` for lines 12, 14, 15, 16. */
function lineList(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}
