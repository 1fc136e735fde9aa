/**
 * Checks 2: the selected packages' tests on the original (tests-before) and on the patched code
 * (tests-after). Only new failures are blamed on the patch: a test that failed before and fails
 * after was broken already, and one the original run never reached is re-run on the original.
 */
import type { Baseline } from './baseline.js';
import { type CheckRecorder, failureExcerpt, head } from './checks.js';
import { type PackageRun, runPackageTests } from './package-tests.js';
import type { Selection } from './selection.js';
import { firstError } from './testrun.js';

export interface CandidateDirs {
  dir: string;
  binDir: string;
  tmpDir: string;
}

function command(selection: Selection): string[] {
  return ['go', 'test', '-v', '-count=1', ...selection.selected.map((s) => s.pkg.rel)];
}

/** Runs tests before and after; returns whether later checks can run plus the per-package runs. */
export async function testsChecks(
  baseline: Baseline,
  cand: CandidateDirs,
  selection: Selection,
  regressionTest: string | undefined,
  rec: CheckRecorder,
): Promise<{ ok: boolean; runs: PackageRun[] }> {
  if (selection.selected.length === 0) {
    rec.skip(
      'tests-before',
      'no package with tests contains or depends on the changed files',
      command(selection),
    );
    rec.skip(
      'tests-after',
      'no package with tests contains or depends on the changed files',
      command(selection),
    );
    return { ok: true, runs: [] };
  }
  const started = performance.now();
  const before = await baseline.testsBefore(selection.selected.map((s) => s.pkg));
  const broken = before.filter((r) => r.buildFailure !== undefined);
  const preexisting = before.flatMap((r) => [...(r.outcome?.failed ?? [])].map((t) => `${r.pkg.rel}.${t}`));
  const scope = `${selection.selected.length} of ${selection.all.length} packages (${selection.selected.map((s) => `${s.pkg.rel}: ${s.reason}`).join('; ')})`;
  if (broken.length > 0) {
    rec.add('tests-before', {
      command: command(selection),
      outcome: 'error',
      durationMs: performance.now() - started,
      excerpt: head(broken[0]?.buildFailure?.stderr ?? '', 30),
      note: `the original tests of ${broken.map((r) => r.pkg.rel).join(', ')} do not build, so there is no baseline`,
    });
  } else {
    rec.add('tests-before', {
      command: command(selection),
      outcome: 'pass',
      durationMs: performance.now() - started,
      note:
        preexisting.length > 0
          ? `baseline of ${scope}; already failing, not blamed on the patch: ${preexisting.join(', ')}`
          : `baseline of ${scope}: all pass`,
      data: {
        packages: selection.selected.length,
        modulePackages: selection.all.length,
        preexistingFailures: preexisting.length,
      },
    });
  }

  const afterStarted = performance.now();
  const after = await runPackageTests(
    baseline.options.go,
    baseline.options.sandbox,
    before.map((b) => ({
      pkg: b.pkg,
      preferWasi: b.isolation === 'wasi' || (b.absent === true && baseline.options.sandbox.preferWasi),
    })),
    {
      workspace: cand.dir,
      binDir: cand.binDir,
      tmpDir: cand.tmpDir,
      writable: [cand.dir],
      tag: '',
      ...(regressionTest ? { skip: [regressionTest] } : {}),
    },
  );
  const blamed: string[] = [];
  let excerpt = '';
  for (const [i, run] of after.entries()) {
    const prior = before[i];
    if (prior === undefined) continue;
    // The same isolation as before, for the same reason (e.g. tests that fail under WASI only).
    if (run.isolation === prior.isolation && prior.target !== undefined) run.reason = prior.reason;
    if (run.buildFailure) {
      blamed.push(`${run.pkg.rel} (tests do not build: ${firstError(run.buildFailure.stderr)})`);
      excerpt ||= head(run.buildFailure.stderr, 30);
      continue;
    }
    const outcome = run.outcome;
    if (outcome === undefined) continue;
    const priorOutcome = prior.outcome;
    const unseen = [...outcome.failed].filter(
      (t) => !priorOutcome?.failed.has(t) && !priorOutcome?.passed.has(t),
    );
    const rerun = await baseline.rerun(prior, unseen);
    const fresh = [...outcome.failed].filter((t) => !priorOutcome?.failed.has(t) && !rerun?.failed.has(t));
    if (outcome.packageFailed && !priorOutcome?.packageFailed) fresh.push('(package)');
    if (fresh.length > 0) {
      blamed.push(...fresh.map((t) => `${run.pkg.rel}.${t}`));
      excerpt ||= failureExcerpt(run.output);
    }
  }
  const durationMs = performance.now() - afterStarted;
  if (blamed.length > 0) {
    rec.add('tests-after', {
      command: command(selection),
      outcome: 'fail',
      exitCode: 1,
      durationMs,
      excerpt,
      note: `the patch breaks: ${blamed.join(', ')}`,
      data: { newFailures: blamed.length },
    });
    return { ok: false, runs: after };
  }
  const passedCount = after.reduce((n, r) => n + (r.outcome?.passed.size ?? 0), 0);
  rec.add('tests-after', {
    command: command(selection),
    outcome: 'pass',
    exitCode: 0,
    durationMs,
    note: `${passedCount} tests pass in ${after.length} packages; no new failures`,
    data: { packages: after.length, passed: passedCount, ...isolationData(after) },
  });
  return { ok: true, runs: after };
}

function isolationData(runs: PackageRun[]): Record<string, string> {
  return Object.fromEntries(runs.map((r) => [`isolation:${r.pkg.rel}`, r.isolation]));
}
