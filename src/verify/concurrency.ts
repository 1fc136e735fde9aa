/**
 * Check 5, for failure classes that depend on scheduling (race, deadlock, leak...): the regression
 * test (or the touched package's tests) under -race, many times, with GOMAXPROCS varied, on both
 * sides. The verdict rests on how many runs failed before and after and a confidence figure from
 * those counts (Fisher's exact test), never on one lucky run.
 */
import type { RegressionTest } from '../core/model.js';
import type { Baseline } from './baseline.js';
import { type CheckRecorder, failureExcerpt } from './checks.js';
import type { ReplayContext } from './replay.js';
import { batchFailed, batchStep } from './replay-batch.js';
import { judgeTrigger, triggerStep } from './replay-steps.js';
import { buildOriginalWithTest, packageAt } from './reproduction.js';
import type { PackageInfo } from './selection.js';
import {
  type BuildOutcome,
  buildTestBinary,
  exactNames,
  firstError,
  type TestTarget,
  testStep,
} from './testrun.js';
import type { CandidateDirs } from './tests.js';

/** GOMAXPROCS values cycled through the runs: 1 serialises goroutines, more interleave them. */
export const GOMAXPROCS_VALUES = [1, 2, 4, 8] as const;
const RUN_TIMEOUT_MS = 60_000;
/** Confidence needed to call the failure fixed. */
export const REQUIRED_CONFIDENCE = 0.95;

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/**
 * Confidence that the patch lowered the failure rate: 1 − the one-sided p-value of Fisher's exact
 * test for `failedBefore` of `runs` against `failedAfter` of `runs`.
 */
export function fixConfidence(failedBefore: number, failedAfter: number, runs: number): number {
  const failures = failedBefore + failedAfter;
  const total = 2 * runs;
  const denominator = logChoose(total, failures);
  let p = 0;
  for (let x = failedBefore; x <= Math.min(failures, runs); x++) {
    p += Math.exp(logChoose(runs, x) + logChoose(runs, failures - x) - denominator);
  }
  return Math.max(0, Math.min(1, 1 - p));
}

/** How many of `runs` failed on one side, and the first failure's output. */
interface SideCount {
  failed: number;
  excerpt: string;
}

/** A way to repeat the failure on both sides, and how it is described in the record. */
interface Source {
  command: string[];
  what: string;
  /** Runs per side. */
  runs: number;
  count(side: 'original' | 'patched'): Promise<SideCount>;
}

function gomaxprocs(i: number): string {
  return String(GOMAXPROCS_VALUES[i % GOMAXPROCS_VALUES.length]);
}

async function testRuns(
  baseline: Baseline,
  cand: CandidateDirs,
  target: TestTarget,
  side: 'original' | 'patched',
  args: string[],
  runs: number,
): Promise<SideCount> {
  const [tmpDir, writable] = side === 'original' ? [baseline.tmpDir, baseline.dir] : [cand.tmpDir, cand.dir];
  const steps = Array.from({ length: runs }, (_, i) =>
    testStep(target, {
      args,
      env: { GOMAXPROCS: gomaxprocs(i), GORACE: 'halt_on_error=1' },
      timeoutMs: RUN_TIMEOUT_MS,
      tmpDir,
      maxOutputBytes: 32 * 1024,
    }),
  );
  const results = await baseline.options.sandbox.exec(steps, [writable]);
  const failing = results.filter((r) => r.exitCode !== 0);
  const first = failing[0];
  return { failed: failing.length, excerpt: first ? failureExcerpt(`${first.stdout}${first.stderr}`) : '' };
}

/** Runs per side when each run is a whole service (a fresh server, or a batch program on its input). */
export function serviceRuns(runs: number): number {
  return Math.max(4, Math.ceil(runs / 2.5));
}

/** Time limit of one repeated batch run: a hang counts as a failure, so it need not be waited out long. */
const BATCH_RUN_TIMEOUT_MS = 15_000;

/**
 * The recorded failure replayed again and again with GOMAXPROCS varied: the triggering request on
 * fresh servers, or a batch program on its input. For incidents whose patch has no regression test.
 */
function replaySource(replay: ReplayContext, runs: number): Source | undefined {
  const { trigger, input, mode } = replay.recorded;
  const writable = (side: 'original' | 'patched') => [
    side === 'original' ? replay.baseline.dir : replay.cand.dir,
  ];
  const summarise = (outputs: string[]): SideCount => ({
    failed: outputs.length,
    excerpt: outputs[0] === undefined ? '' : failureExcerpt(outputs[0]),
  });
  if (mode === 'http' && trigger !== undefined) {
    return {
      command: replay.command,
      what: 'replays of the triggering request',
      runs,
      count: async (side) => {
        const steps = Array.from({ length: runs }, (_, i) =>
          triggerStep(replay, side, trigger, { GOMAXPROCS: gomaxprocs(i) }),
        );
        const results = await replay.baseline.options.sandbox.replay(steps, writable(side));
        const failing = results.filter((r) => judgeTrigger(replay, trigger, r).failed);
        return summarise(failing.map((r) => `${r.stderr}${r.stdout}`));
      },
    };
  }
  if (mode === 'batch' && input !== undefined) {
    return {
      command: replay.command,
      what: 'runs on the recorded input',
      runs,
      count: async (side) => {
        const steps = [];
        for (let i = 0; i < runs; i++) {
          steps.push(
            await batchStep(replay, side, input, {
              index: i + 1,
              env: { GOMAXPROCS: gomaxprocs(i) },
              timeoutMs: BATCH_RUN_TIMEOUT_MS,
            }),
          );
        }
        const results = await replay.baseline.options.sandbox.exec(steps, writable(side));
        return summarise(results.filter((r) => batchFailed(r)).map((r) => `${r.stderr}${r.stdout}`));
      },
    };
  }
  return undefined;
}

export interface ConcurrencyInput {
  test?: RegressionTest;
  /** Both service builds, when the replay check made them. */
  replay?: ReplayContext;
  /** Packages the patch touches that have tests (the last resort). */
  touched: PackageInfo[];
  runs: number;
  rank: number;
}

/**
 * Picks what to repeat: the regression test under -race; else the recorded failure replayed on the
 * service (fewer runs: each is a whole service); else the touched packages' own tests under -race.
 */
async function chooseSource(
  baseline: Baseline,
  cand: CandidateDirs,
  input: ConcurrencyInput,
): Promise<Source | string> {
  const { go } = baseline.options;
  if (input.test === undefined && input.replay) {
    const source = replaySource(input.replay, serviceRuns(input.runs));
    if (source) return source;
  }
  const rel = input.test?.packageDir ?? input.touched[0]?.rel;
  if (rel === undefined)
    return 'no regression test, no recorded request and no touched package with tests to repeat';
  const before: BuildOutcome = input.test
    ? await buildOriginalWithTest(baseline, input.test, { race: true, tag: `.race-${input.rank}` })
    : await buildTestBinary(go, baseline.dir, baseline.binDir, packageAt(baseline.dir, rel), {
        preferWasi: false,
        race: true,
        tag: '',
      });
  const after = await buildTestBinary(go, cand.dir, cand.binDir, packageAt(cand.dir, rel), {
    preferWasi: false,
    race: true,
    tag: '',
  });
  const broken = before.target === undefined ? before : after.target === undefined ? after : undefined;
  if (broken !== undefined || before.target === undefined || after.target === undefined) {
    return `the race build failed: ${firstError(broken?.run.stderr ?? '')}`;
  }
  const targets = { original: before.target, patched: after.target };
  const args = input.test ? ['-test.run', exactNames([input.test.name])] : [];
  return {
    command: [
      'go',
      'test',
      '-race',
      `-count=${input.runs}`,
      ...(input.test ? ['-run', `^${input.test.name}$`] : []),
      rel,
    ],
    what: input.test ? `runs of ${input.test.name} under -race` : `runs of ${rel}'s tests under -race`,
    runs: input.runs,
    count: (side) => testRuns(baseline, cand, targets[side], side, args, input.runs),
  };
}

export async function concurrencyCheck(
  baseline: Baseline,
  cand: CandidateDirs,
  input: ConcurrencyInput,
  rec: CheckRecorder,
): Promise<boolean> {
  const started = performance.now();
  const source = await chooseSource(baseline, cand, input);
  if (typeof source === 'string') {
    rec.add('concurrency', {
      command: ['go', 'test', '-race'],
      outcome: 'error',
      durationMs: performance.now() - started,
      note: source,
    });
    return true;
  }
  const { command } = source;
  const b = await source.count('original');
  const a = await source.count('patched');
  const runs = source.runs;
  const confidence = fixConfidence(b.failed, a.failed, runs);
  const data = {
    source: source.what,
    runs,
    failedBefore: b.failed,
    failedAfter: a.failed,
    confidence: Math.round(confidence * 1000) / 1000,
    gomaxprocs: GOMAXPROCS_VALUES.join(','),
  };
  const counts = `${source.what}: failed ${b.failed}/${runs} before, ${a.failed}/${runs} after (GOMAXPROCS ${data.gomaxprocs})`;
  const durationMs = performance.now() - started;
  if (a.failed > 0) {
    rec.add('concurrency', {
      command,
      outcome: 'fail',
      exitCode: 1,
      durationMs,
      excerpt: a.excerpt,
      note: `still fails: ${counts}`,
      data,
    });
    return false;
  }
  if (b.failed === 0 || confidence < REQUIRED_CONFIDENCE) {
    const why =
      b.failed === 0
        ? 'the failure never showed on the original, so the runs cannot tell'
        : 'too few failures before to tell';
    rec.add('concurrency', {
      command,
      outcome: 'error',
      durationMs,
      excerpt: b.excerpt,
      note: `${why}: ${counts}; confidence ${data.confidence}`,
      data,
    });
    return true;
  }
  rec.add('concurrency', {
    command,
    outcome: 'pass',
    exitCode: 0,
    durationMs,
    excerpt: b.excerpt,
    note: `${counts}; confidence ${data.confidence}`,
    data,
  });
  return true;
}
