/**
 * One candidate's verification against a shared baseline: copy, apply, then the checks in order
 * (build, vet, tests, reproduction, replay, differential, concurrency), stopping at the first
 * blocking failure and recording the rest as not run, then the verdict and the isolation used.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { VerifyError } from '../core/errors.js';
import { type CheckName, type Patch, SCHEMA_VERSION, type Verification } from '../core/model.js';
import type { Baseline, PackageRun } from './baseline.js';
import { buildCheck, vetCheck } from './build.js';
import { CheckRecorder, head } from './checks.js';
import { CONCURRENCY_CLASSES } from './classify.js';
import { concurrencyCheck } from './concurrency.js';
import { type OtherRun, verdictIsolation } from './isolation.js';
import type { Recorded } from './recorded.js';
import { type ReplayContext, replayChecks } from './replay.js';
import { reproductionCheck } from './reproduction.js';
import { diffTestsReproduction } from './reproduction-diff.js';
import { type Selection, selectTests } from './selection.js';
import { type CandidateDirs, testsChecks } from './tests.js';
import type { VerifyContext, VerifyOptions } from './types.js';
import { decideVerdict } from './verdict.js';
import { applyDiff, cloneWorkspace, writeInside } from './workspace.js';

interface Stage {
  names: CheckName[];
  run(): Promise<boolean>;
}

export async function verifyWithBaseline(
  patch: Patch,
  ctx: VerifyContext,
  baseline: Baseline,
  recorded: Recorded,
  options: VerifyOptions,
): Promise<Verification> {
  const startedAt = new Date().toISOString();
  const rec = new CheckRecorder(options.onCheck);
  const progress = options.onProgress ?? (() => {});
  const root = join(baseline.options.runDir, `candidate-${patch.rank}`);
  const cand: CandidateDirs = {
    dir: join(root, 'src'),
    binDir: join(root, 'bin'),
    tmpDir: join(root, 'src', '.medic-tmp'),
  };
  // The class the evidence shows (a leak may have no failure record, only profile growth).
  const expected = ctx.evidence.class ?? ctx.evidence.failure?.class;
  const test = patch.regressionTest;
  let selection: Selection | undefined;
  let runs: PackageRun[] = [];
  const others: OtherRun[] = [];
  let replay: ReplayContext | undefined;

  const stages: Stage[] = [
    {
      names: ['apply'],
      run: async () => {
        const source = await baseline.workspace();
        await cloneWorkspace(baseline.dir, cand.dir);
        const applied = await applyDiff(cand.dir, patch.diff, `candidate-${patch.rank}`);
        let problem = applied.ok
          ? undefined
          : 'the diff does not apply to the source at the incident revision';
        if (applied.ok && test && !existsSync(join(cand.dir, test.file))) {
          // The test's path comes with the patch record: one that leaves the repository rejects the candidate.
          await writeInside(cand.dir, test.file, test.source).catch((error: Error) => {
            problem = `the regression test cannot be written: ${error.message}`;
          });
        }
        await mkdir(cand.tmpDir, { recursive: true });
        rec.add('apply', {
          command: applied.argv,
          outcome: problem === undefined ? 'pass' : 'fail',
          exitCode: applied.exitCode,
          durationMs: applied.durationMs,
          excerpt: head(applied.output, 30),
          note: problem ?? `${source.note}; applied to ${patch.files.join(', ') || 'no files'}`,
        });
        return problem === undefined;
      },
    },
    { names: ['build'], run: () => buildCheck(baseline, cand.dir, rec) },
    {
      names: ['vet'],
      run: async () => {
        const files = [...patch.files, ...(test ? [test.file] : [])];
        selection = await selectTests(baseline.options.go, cand.dir, files);
        if (options.testScope === 'all') {
          selection = {
            ...selection,
            selected: selection.all
              .filter((p) => p.hasTests)
              .map((pkg) => ({ pkg, reason: 'go test ./...' })),
          };
        }
        return vetCheck(baseline, cand.dir, selection.changed, rec);
      },
    },
    {
      names: ['tests-before', 'tests-after'],
      run: async () => {
        if (selection === undefined) throw new TypeError('verify: tests ran before selection');
        const result = await testsChecks(baseline, cand, selection, test?.name, rec);
        runs = result.runs;
        return result.ok;
      },
    },
    {
      names: ['reproduction'],
      run: async () => {
        if (test === undefined) {
          const race = expected === 'race' || expected === 'concurrent-map-write';
          return diffTestsReproduction(
            baseline,
            cand,
            { diff: patch.diff, rank: patch.rank, expected, race },
            rec,
          );
        }
        // A data race shows only under the race detector, whatever the test asks for.
        const race =
          expected === 'race' || expected === 'concurrent-map-write' || test.goTestFlags.includes('-race');
        const ok = await reproductionCheck(baseline, cand, { test, expected, race, afterRuns: runs }, rec);
        const iso = rec.checks.at(-1)?.data?.isolation;
        if (iso === 'wasi' || iso === 'netns' || iso === 'native')
          others.push({ kind: iso, what: `the regression test${race ? ' (-race: a native build)' : ''}` });
        return ok;
      },
    },
    {
      names: ['replay', 'differential'],
      run: async () => {
        const outcome = await replayChecks(baseline, cand, ctx.incident, recorded, expected, rec);
        replay = outcome.ctx;
        if (replay)
          others.push({
            what: `${recorded.mode === 'batch' ? 'the program on its recorded input' : 'the service replay (a server needs real sockets, which wasip1 lacks)'}`,
          });
        return outcome.ok;
      },
    },
    {
      names: ['concurrency'],
      run: async () => {
        if (expected === undefined || !CONCURRENCY_CLASSES.has(expected)) {
          rec.skip('concurrency', `${expected ?? 'the failure'} is not a concurrency class`);
          return true;
        }
        const touched = (selection?.changed ?? []).filter((p) => p.hasTests);
        const runsPerSide = options.concurrencyRuns ?? 20;
        const source = { ...(test ? { test } : {}), ...(replay ? { replay } : {}) };
        const ok = await concurrencyCheck(
          baseline,
          cand,
          { ...source, touched, runs: runsPerSide, rank: patch.rank },
          rec,
        );
        const what = rec.checks.at(-1)?.data?.source;
        if (typeof what === 'string')
          others.push({ what: `${what} (native: -race and real services need the host's runtime)` });
        return ok;
      },
    },
  ];

  let stop: string | undefined;
  try {
    for (const stage of stages) {
      if (stop !== undefined) {
        for (const name of stage.names) rec.skip(name, `not run: ${stop}`);
        continue;
      }
      progress(`candidate ${patch.rank}: ${stage.names.join(', ')}`);
      try {
        if (!(await stage.run())) stop = `${rec.firstFailure()?.name ?? stage.names[0]} failed`;
      } catch (error) {
        // A sandbox that breaks down says nothing about the patch: record it and stop, keep the other candidates.
        if (!(error instanceof VerifyError) || error.code !== 'MEDIC_ERR_VERIFY_SANDBOX') throw error;
        rec.add('sandbox', {
          command: [],
          outcome: 'error',
          durationMs: 0,
          excerpt: JSON.stringify(error.details ?? null).slice(0, 4000),
          note: error.message,
        });
        stop = 'the sandbox failed';
      }
    }
  } finally {
    if (!options.keepWorkspace) await rm(root, { recursive: true, force: true });
  }
  const verdict = decideVerdict(rec.checks);
  return {
    schemaVersion: SCHEMA_VERSION,
    incidentId: ctx.incident.id,
    patchRank: patch.rank,
    ...verdict,
    checks: rec.checks,
    isolation: await verdictIsolation(baseline.options.sandbox, runs, others),
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}
