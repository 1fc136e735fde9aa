/**
 * Check 3a for a patch without a regression test record (a human's diff, `--patch`): the tests the
 * diff itself adds stand in. They are applied alone (`git apply --include='*_test.go'`) to a copy of
 * the original; when they compile there and fail the incident's way, they must pass on the patched
 * code. Tests that do not compile against the original or pass there test something else: skipped.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FailureClass } from '../core/model.js';
import type { Baseline } from './baseline.js';
import { type CheckRecorder, failureExcerpt, head } from './checks.js';
import { classifyOutput, sameFailure } from './classify.js';
import { packageAt, runNamed } from './reproduction.js';
import { buildTestBinary, firstError } from './testrun.js';
import type { CandidateDirs } from './tests.js';
import { applyDiff, cloneWorkspace } from './workspace.js';

/** Test functions a diff adds, by package directory (`./x/y`). */
export function testsAddedBy(diff: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let file: string | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const path = line.slice(4).split('\t')[0]?.trim().replace(/^b\//, '');
      file = path?.endsWith('_test.go') ? path : undefined;
      continue;
    }
    const name = file ? /^\+func (Test[A-Za-z0-9_]*)\(\w+ \*testing\.T\)/.exec(line)?.[1] : undefined;
    if (file && name) {
      const dir = dirname(file);
      const rel = dir === '.' ? '.' : `./${dir}`;
      out.set(rel, [...(out.get(rel) ?? []), name]);
    }
  }
  return out;
}

export interface DiffTestsInput {
  diff: string;
  rank: number;
  expected: FailureClass | undefined;
  race: boolean;
}

/** Returns whether later checks can run. */
export async function diffTestsReproduction(
  baseline: Baseline,
  cand: CandidateDirs,
  input: DiffTestsInput,
  rec: CheckRecorder,
): Promise<boolean> {
  const added = [...testsAddedBy(input.diff)][0];
  if (added === undefined) {
    rec.skip('reproduction', 'the patch carries no regression test and its diff adds no test');
    return true;
  }
  const [rel, names] = added;
  const started = performance.now();
  const command = ['go', 'test', ...(input.race ? ['-race'] : []), '-run', `^(${names.join('|')})$`, rel];
  const skip = (note: string) => {
    rec.add('reproduction', { command, outcome: 'skipped', durationMs: performance.now() - started, note });
    return true;
  };
  const { go, sandbox } = baseline.options;
  // The original plus only the diff's test files, in a throwaway copy beside the candidate.
  const withTests = join(dirname(cand.dir), 'original-with-tests');
  await cloneWorkspace(baseline.dir, withTests);
  try {
    const applied = await applyDiff(withTests, input.diff, `candidate-${input.rank}-tests`, [
      '--include=*_test.go',
    ]);
    if (!applied.ok)
      return skip(`the diff's tests do not apply to the original alone: ${applied.output.split('\n')[0]}`);
    const mode = { preferWasi: sandbox.preferWasi && !input.race, race: input.race, tag: '.difftests' };
    const before = await buildTestBinary(
      go,
      withTests,
      join(withTests, '.medic-bin'),
      packageAt(withTests, rel),
      mode,
    );
    if (before.target === undefined) {
      return skip(
        `the diff's tests (${names.join(', ')}) do not compile against the original: ${firstError(before.run.stderr)}`,
      );
    }
    const orig = await runNamed(baseline, before.target, names, join(withTests, '.medic-tmp'), withTests);
    const seen = classifyOutput(orig.output);
    if (orig.outcome.exitCode === 0 || !seen || !sameFailure(seen.class, input.expected)) {
      return skip(`the diff's tests (${names.join(', ')}) do not fail on the original the incident's way`);
    }
    const after = await buildTestBinary(go, cand.dir, cand.binDir, packageAt(cand.dir, rel), {
      ...mode,
      tag: '.difftests',
    });
    if (after.target === undefined) {
      const note = `the diff's tests do not compile against the patched code: ${firstError(after.run.stderr)}`;
      rec.add('reproduction', {
        command,
        outcome: 'fail',
        exitCode: after.run.exitCode,
        durationMs: performance.now() - started,
        excerpt: head(after.run.stderr, 30),
        note,
      });
      return false;
    }
    const patched = await runNamed(baseline, after.target, names, cand.tmpDir, cand.dir);
    const durationMs = performance.now() - started;
    if (patched.outcome.exitCode === 0) {
      const note = `the diff's ${names.join(', ')} fail on the original with ${seen.class} (${seen.line}) and pass on the patched code`;
      rec.add('reproduction', {
        command,
        outcome: 'pass',
        exitCode: 0,
        durationMs,
        excerpt: failureExcerpt(orig.output),
        note,
      });
      return true;
    }
    const note = `the diff's ${names.join(', ')} still fail on the patched code: the patch does not fix the incident`;
    rec.add('reproduction', {
      command,
      outcome: 'fail',
      exitCode: patched.outcome.exitCode,
      durationMs,
      excerpt: failureExcerpt(patched.output),
      note,
    });
    return false;
  } finally {
    await rm(withTests, { recursive: true, force: true });
  }
}
