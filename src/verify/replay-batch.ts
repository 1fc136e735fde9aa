/**
 * Batch replay: the program run to completion on the incident's recorded input (arguments, stdin
 * and files in a fresh working directory), once per build. The original must fail the incident's
 * way; the patched build must finish cleanly. A batch incident records one input, so there is no
 * traffic to compare.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplayInput } from '../core/model.js';
import { type CheckRecorder, failureExcerpt, tail } from './checks.js';
import { classifyOutput, type ObservedFailure, sameFailure } from './classify.js';
import type { ReplayContext } from './replay.js';
import { type ExecResult, type ExecStep, sandboxEnv, withoutSecrets } from './sandbox/index.js';
import { writeInside } from './workspace.js';

const BATCH_TIMEOUT_MS = 60_000;

/**
 * The step that runs one side on the input, in a fresh working directory `batch-<side>-<n>` holding
 * the recorded files. `env` adds e.g. GOMAXPROCS for the concurrency runs.
 */
export async function batchStep(
  ctx: ReplayContext,
  side: 'original' | 'patched',
  input: ReplayInput,
  run: { index: number; env?: Record<string, string>; timeoutMs?: number } = { index: 0 },
): Promise<ExecStep> {
  const root = side === 'original' ? ctx.baseline.dir : ctx.cand.dir;
  const workdir = join(root, '.medic-tmp', `batch-${side}-${run.index}`);
  await rm(workdir, { recursive: true, force: true });
  await mkdir(workdir, { recursive: true });
  for (const [file, content] of Object.entries(input.files)) await writeInside(workdir, file, content);
  const fill = (s: string) => s.replaceAll('{workdir}', workdir);
  const service = ctx.incident.service;
  const env = Object.fromEntries(
    Object.entries(withoutSecrets(service.run.env).env).map(([k, v]) => [k, fill(v)]),
  );
  return {
    kind: 'exec',
    argv: [side === 'original' ? ctx.original : ctx.patched, ...service.run.args.map(fill), ...input.args],
    cwd: workdir,
    env: sandboxEnv({ ...env, TMPDIR: workdir, HOME: workdir, ...run.env }),
    timeoutMs: run.timeoutMs ?? BATCH_TIMEOUT_MS,
    limits: {
      cpuSeconds: 120,
      memoryBytes: ctx.race ? null : 4 * 1024 ** 3,
      fileBytes: 256 * 1024 * 1024,
      openFiles: 1024,
    },
    stdin: input.stdin,
  };
}

async function runBatch(
  ctx: ReplayContext,
  side: 'original' | 'patched',
  input: ReplayInput,
): Promise<ExecResult> {
  const step = await batchStep(ctx, side, input);
  const [result] = await ctx.baseline.options.sandbox.exec(
    [step],
    [side === 'original' ? ctx.baseline.dir : ctx.cand.dir],
  );
  if (result === undefined) throw new TypeError('sandbox returned no result for the batch run');
  return result;
}

/** Whether one batch run failed: a failure printed, a hang, or a non-zero exit. */
export function batchFailed(result: ExecResult): boolean {
  return observe(result) !== undefined || result.exitCode !== 0;
}

/** What a run shows: the failure it printed, or a hang (which a deadlock or leak incident counts as its failure). */
function observe(result: ExecResult): ObservedFailure | undefined {
  const seen = classifyOutput(`${result.stderr}\n${result.stdout}`);
  if (seen) return seen;
  return result.timedOut
    ? { class: 'deadlock', line: `no exit within ${BATCH_TIMEOUT_MS / 1000} s` }
    : undefined;
}

function describe(result: ExecResult): string {
  if (result.timedOut) return 'timed out';
  return result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
}

export async function replayBatch(ctx: ReplayContext, rec: CheckRecorder): Promise<boolean> {
  const input = ctx.recorded.input;
  rec.skip('differential', 'a batch incident records a single input: nothing to compare');
  if (input === undefined) return true;
  const started = performance.now();
  const original = await runBatch(ctx, 'original', input);
  const seen = observe(original);
  const origOut = `${original.stderr}${original.stdout}`;
  const reproduced = seen
    ? sameFailure(seen.class, ctx.expected)
    : ctx.expected === undefined && original.exitCode !== 0;
  if (!reproduced) {
    rec.add('replay', {
      command: ctx.command,
      outcome: 'error',
      exitCode: original.exitCode,
      durationMs: performance.now() - started,
      excerpt: tail(origOut, 20),
      note: `the recorded input did not fail the original the incident's way (${describe(original)}${seen ? `, ${seen.class}` : ''})`,
    });
    return true;
  }
  const patched = await runBatch(ctx, 'patched', input);
  const still = observe(patched);
  const durationMs = performance.now() - started;
  const data = { originalExit: describe(original), patchedExit: describe(patched) };
  if (still !== undefined || patched.exitCode !== 0) {
    const note = still
      ? `the patched build still fails: ${still.line}`
      : `the patched build ${describe(patched)}`;
    rec.add('replay', {
      command: ctx.command,
      outcome: 'fail',
      exitCode: patched.exitCode,
      durationMs,
      excerpt: failureExcerpt(`${patched.stderr}${patched.stdout}`),
      note,
      data,
    });
    return false;
  }
  rec.add('replay', {
    command: ctx.command,
    outcome: 'pass',
    exitCode: 0,
    durationMs,
    excerpt: failureExcerpt(origOut),
    note: `original: ${seen?.line ?? describe(original)}; patched: exit 0 with no failure`,
    data,
  });
  return true;
}
