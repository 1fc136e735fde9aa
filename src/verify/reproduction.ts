/**
 * Check 3a: the patch's regression test must fail on the original code the incident's way and pass
 * on the patched code. A test that does not reproduce the incident proves nothing, so that case is
 * "could not tell" (error), while a test that still fails after the patch rejects it.
 */
import { join } from 'node:path';
import type { FailureClass, RegressionTest } from '../core/model.js';
import type { Baseline, PackageRun } from './baseline.js';
import { type CheckRecorder, failureExcerpt, head } from './checks.js';
import { classifyOutput, sameFailure } from './classify.js';
import { TEST_TIMEOUT_MS } from './package-tests.js';
import type { PackageInfo } from './selection.js';
import {
  type BuildOutcome,
  buildTestBinary,
  exactNames,
  firstError,
  parseTestOutput,
  type TestTarget,
  testStep,
} from './testrun.js';
import type { CandidateDirs } from './tests.js';
import { removeInside, writeInside } from './workspace.js';

export function packageAt(root: string, rel: string): PackageInfo {
  const clean = rel.replace(/^\.\/?/, '').replace(/\/$/, '');
  return {
    importPath: clean,
    dir: clean === '' ? root : join(root, clean),
    rel: clean === '' ? '.' : `./${clean}`,
    hasTests: true,
    isMain: false,
  };
}

/** Builds the original package's tests with the regression test dropped in just long enough to compile it. */
export async function buildOriginalWithTest(
  baseline: Baseline,
  test: RegressionTest,
  mode: { race: boolean; tag: string; preferWasi?: boolean },
): Promise<BuildOutcome> {
  const { go, sandbox } = baseline.options;
  await writeInside(baseline.dir, test.file, test.source);
  return buildTestBinary(go, baseline.dir, baseline.binDir, packageAt(baseline.dir, test.packageDir), {
    preferWasi: mode.preferWasi ?? sandbox.preferWasi,
    race: mode.race,
    tag: mode.tag,
  }).finally(() => removeInside(baseline.dir, test.file));
}

/** Runs the named tests of a built binary in the sandbox. */
export async function runNamed(
  baseline: Baseline,
  target: TestTarget,
  names: string[],
  tmpDir: string,
  writable: string,
) {
  const [result] = await baseline.options.sandbox.exec(
    [
      testStep(target, {
        args: ['-test.run', exactNames(names)],
        env: {},
        timeoutMs: TEST_TIMEOUT_MS,
        tmpDir,
      }),
    ],
    [writable],
  );
  if (result === undefined) throw new TypeError('sandbox returned no result for the regression test');
  const output = `${result.stdout}${result.stderr}${result.startError ? `\n${result.startError}` : ''}`;
  return { output, outcome: parseTestOutput(output, result.exitCode, result.timedOut), result };
}

type RunOne = Awaited<ReturnType<typeof runNamed>>;
const originalRuns = new WeakMap<Baseline, Map<string, Promise<{ built: BuildOutcome; before?: RunOne }>>>();

/** The regression test on the original code, once per baseline for each distinct test (candidates often share one). */
function originalSide(baseline: Baseline, test: RegressionTest, race: boolean, preferWasi: boolean) {
  let memo = originalRuns.get(baseline);
  if (memo === undefined) {
    memo = new Map();
    originalRuns.set(baseline, memo);
  }
  const key = JSON.stringify([test.file, test.packageDir, test.name, test.source, race, preferWasi]);
  let side = memo.get(key);
  if (side === undefined) {
    side = (async () => {
      const built = await buildOriginalWithTest(baseline, test, {
        race,
        tag: `.repro-${memo.size}`,
        preferWasi,
      });
      if (built.target === undefined) return { built };
      return {
        built,
        before: await runNamed(baseline, built.target, [test.name], baseline.tmpDir, baseline.dir),
      };
    })();
    memo.set(key, side);
  }
  return side;
}

export interface ReproductionInput {
  test: RegressionTest;
  expected: FailureClass | undefined;
  /** Race-class incidents reproduce only under the race detector. */
  race: boolean;
  /** Tests-after runs, whose binaries can be reused for the patched side. */
  afterRuns: PackageRun[];
}

/** Returns whether later checks can run. */
export async function reproductionCheck(
  baseline: Baseline,
  cand: CandidateDirs,
  input: ReproductionInput,
  rec: CheckRecorder,
): Promise<boolean> {
  const { test, expected } = input;
  const started = performance.now();
  const command = ['go', 'test', ...(input.race ? ['-race'] : []), '-run', `^${test.name}$`, test.packageDir];
  const error = (note: string, excerpt = '') => {
    rec.add('reproduction', {
      command,
      outcome: 'error',
      durationMs: performance.now() - started,
      excerpt,
      note,
    });
    return true;
  };
  const { go, sandbox } = baseline.options;
  const origPkg = packageAt(baseline.dir, test.packageDir);
  // Where the package's tests had to run natively (they fail under WASI only), so does its regression test.
  const pkgRun = input.afterRuns.find((r) => r.pkg.rel === origPkg.rel && r.target !== undefined);
  const preferWasi = sandbox.preferWasi && (pkgRun === undefined || pkgRun.isolation === 'wasi');
  const original = await originalSide(baseline, test, input.race, preferWasi);
  if (original.before === undefined) {
    return error(
      `the regression test does not compile against the original code: ${firstError(original.built.run.stderr)}`,
      head(original.built.run.stderr, 30),
    );
  }
  const before = original.before;
  if (before.outcome.exitCode === 0 || !before.outcome.failed.has(test.name)) {
    const missing = /no tests to run/.test(before.output)
      ? ` (no test named ${test.name} in ${test.packageDir})`
      : '';
    return error(
      `the regression test passes on the original code, so it does not reproduce the incident${missing}`,
      head(before.output, 20),
    );
  }
  const observed = classifyOutput(before.output);
  if (
    expected !== undefined &&
    !(observed && sameFailure(observed.class, expected)) &&
    !showsLeak(test, before.output)
  ) {
    return error(
      `the regression test fails on the original with ${observed?.class ?? 'a plain test failure'}, not the incident's ${expected}`,
      failureExcerpt(before.output),
    );
  }

  // The patched side: reuse the tests-after binary when it is the same kind of build.
  const reused = input.afterRuns.find(
    (r) => r.pkg.rel === origPkg.rel && r.target && r.target.race === input.race,
  )?.target;
  let target = reused;
  if (target === undefined) {
    const patchedBuild = await buildTestBinary(
      go,
      cand.dir,
      cand.binDir,
      packageAt(cand.dir, test.packageDir),
      {
        preferWasi,
        race: input.race,
        tag: '.repro',
      },
    );
    if (patchedBuild.target === undefined) {
      rec.add('reproduction', {
        command,
        outcome: 'fail',
        exitCode: patchedBuild.run.exitCode,
        durationMs: performance.now() - started,
        excerpt: head(patchedBuild.run.stderr, 30),
        note: `the regression test does not compile against the patched code: ${firstError(patchedBuild.run.stderr)}`,
      });
      return false;
    }
    target = patchedBuild.target;
  }
  const after = await runNamed(baseline, target, [test.name], cand.tmpDir, cand.dir);
  const how = observed ? `${observed.class} (${observed.line})` : 'a test failure';
  if (after.outcome.exitCode === 0 && after.outcome.passed.has(test.name)) {
    rec.add('reproduction', {
      command,
      outcome: 'pass',
      exitCode: 0,
      durationMs: performance.now() - started,
      excerpt: failureExcerpt(before.output),
      note: `${test.name} fails on the original with ${how} and passes on the patched code`,
      data: {
        originalClass: observed?.class ?? 'test-failure',
        isolation: (await sandbox.isolationOf(target.wasm)).kind,
      },
    });
    return true;
  }
  const still = classifyOutput(after.output);
  rec.add('reproduction', {
    command,
    outcome: 'fail',
    exitCode: after.outcome.exitCode,
    durationMs: performance.now() - started,
    excerpt: failureExcerpt(after.output),
    note: `${test.name} still fails on the patched code${still ? ` with ${still.class}` : ''}: the patch does not fix the incident`,
  });
  return false;
}

/**
 * Leaks print no traceback: a counting test (goroutines left blocked, objects still held) shows
 * one by failing with its own message, which the patch stage saw on the original code.
 */
function showsLeak(test: RegressionTest, output: string): boolean {
  const counting = test.kind === 'goroutine-count' || test.kind === 'retained-count';
  return (
    counting && test.failureText !== undefined && test.failureText !== '' && output.includes(test.failureText)
  );
}
