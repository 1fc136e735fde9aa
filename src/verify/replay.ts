/**
 * Checks 3b and 4: the service built from the original and from the patched code, each run fresh in
 * the sandbox on what the incident recorded: an HTTP service gets the triggering request and the
 * normal traffic (replay-http.ts), a batch program its recorded input (replay-batch.ts).
 */
import { join } from 'node:path';
import type { FailureClass, Incident } from '../core/model.js';
import type { Baseline } from './baseline.js';
import { type CheckRecorder, head } from './checks.js';
import type { Recorded } from './recorded.js';
import { replayBatch } from './replay-batch.js';
import { replayHttp } from './replay-http.js';
import { firstError } from './testrun.js';
import type { CandidateDirs } from './tests.js';

export interface ReplayContext {
  baseline: Baseline;
  cand: CandidateDirs;
  incident: Incident;
  recorded: Recorded;
  expected: FailureClass | undefined;
  /** What runs, in go's terms, for the records. */
  command: string[];
  original: string;
  patched: string;
  /** Built with -race: a data race shows only under the race detector. */
  race: boolean;
}

export interface ReplayOutcome {
  ok: boolean;
  /** Set once both builds exist, for the concurrency check to replay the trigger again. */
  ctx?: ReplayContext;
}

/** Runs the replay checks; `ok` says whether later checks can run. */
export async function replayChecks(
  baseline: Baseline,
  cand: CandidateDirs,
  incident: Incident,
  recorded: Recorded,
  expected: FailureClass | undefined,
  rec: CheckRecorder,
): Promise<ReplayOutcome> {
  const main = incident.service.mainPackage;
  const race = expected === 'race';
  const command = ['go', 'run', ...(race ? ['-race'] : []), main, ...incident.service.run.args];
  if (recorded.problem) {
    rec.add('replay', { command, outcome: 'error', durationMs: 0, note: recorded.problem });
    rec.skip('differential', recorded.problem);
    return { ok: true };
  }
  const nothing =
    recorded.mode === 'batch'
      ? recorded.input === undefined
      : !recorded.trigger && recorded.traffic.length === 0;
  if (nothing) {
    rec.skip(
      'replay',
      `the incident recorded no ${recorded.mode === 'batch' ? 'input' : 'triggering request'}`,
    );
    rec.skip('differential', 'the incident recorded no normal traffic');
    return { ok: true };
  }
  const original = await baseline.service(main, race);
  if (original.run.exitCode !== 0) {
    const note = `the original service does not build: ${firstError(original.run.stderr)}`;
    rec.add('replay', {
      command: original.run.command,
      outcome: 'error',
      durationMs: original.run.durationMs,
      excerpt: head(original.run.stderr, 30),
      note,
    });
    rec.skip('differential', note);
    return { ok: true };
  }
  const patched = join(cand.binDir, 'service-patched');
  const build = await baseline.options.go.go(
    ['build', ...(race ? ['-race'] : []), '-o', patched, main],
    cand.dir,
  );
  if (build.exitCode !== 0) {
    const note = `the patched service does not build: ${firstError(build.stderr)}`;
    rec.add('replay', {
      command: build.command,
      outcome: 'fail',
      exitCode: build.exitCode,
      durationMs: build.durationMs,
      excerpt: head(build.stderr, 30),
      note,
    });
    rec.skip('differential', 'not run: the patched service does not build');
    return { ok: false };
  }
  const ctx: ReplayContext = {
    baseline,
    cand,
    incident,
    recorded,
    expected,
    command,
    original: original.binary,
    patched,
    race,
  };
  const ok = recorded.mode === 'batch' ? await replayBatch(ctx, rec) : await replayHttp(ctx, rec);
  return { ok, ctx };
}
