/**
 * Checks 1: `go build ./...` of the patched copy and `go vet` of the packages it touches. A failure
 * the original shares is not the patch's (the check says "could not tell" instead of blaming it).
 */
import type { Baseline } from './baseline.js';
import { type CheckRecorder, head } from './checks.js';
import type { GoRun } from './go.js';
import type { PackageInfo } from './selection.js';
import { firstError } from './testrun.js';

const originalBuilds = new WeakMap<Baseline, Promise<GoRun>>();

function buildOriginal(baseline: Baseline): Promise<GoRun> {
  let run = originalBuilds.get(baseline);
  if (run === undefined) {
    run = baseline.options.go.go(['build', './...'], baseline.dir);
    originalBuilds.set(baseline, run);
  }
  return run;
}

/** `go build ./...`; returns whether later checks can run. */
export async function buildCheck(
  baseline: Baseline,
  patchedDir: string,
  rec: CheckRecorder,
): Promise<boolean> {
  const run = await baseline.options.go.go(['build', './...'], patchedDir);
  if (run.exitCode === 0) {
    rec.add('build', { command: run.command, outcome: 'pass', exitCode: 0, durationMs: run.durationMs });
    return true;
  }
  const original = await buildOriginal(baseline);
  const compiler = head(run.stderr, 40);
  if (original.exitCode !== 0) {
    rec.add('build', {
      command: run.command,
      outcome: 'error',
      exitCode: run.exitCode,
      durationMs: run.durationMs,
      excerpt: compiler,
      note: `the original code does not build either (${firstError(original.stderr)})`,
    });
    return false;
  }
  rec.add('build', {
    command: run.command,
    outcome: 'fail',
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    excerpt: compiler,
    note: `the patched code does not compile: ${firstError(run.stderr)}`,
  });
  return false;
}

/** Vet findings without their positions (lines move when a patch adds code). */
export function vetFindings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^\S+\.go:\d+(?::\d+)?: /.test(l))
    .map((l) => l.replace(/^\S+\.go:\d+(?::\d+)?: /, '').trim());
}

/** `go vet` on the touched packages; findings the original already had are not blamed. */
export async function vetCheck(
  baseline: Baseline,
  patchedDir: string,
  touched: PackageInfo[],
  rec: CheckRecorder,
): Promise<boolean> {
  if (touched.length === 0) {
    rec.skip('vet', 'the patch touches no Go package', ['go', 'vet']);
    return true;
  }
  const pkgs = touched.map((p) => p.rel);
  const run = await baseline.options.go.go(['vet', ...pkgs], patchedDir);
  if (run.exitCode === 0) {
    rec.add('vet', { command: run.command, outcome: 'pass', exitCode: 0, durationMs: run.durationMs });
    return true;
  }
  const after = vetFindings(run.stderr);
  const original = await baseline.options.go.go(['vet', ...pkgs], baseline.dir);
  const before = vetFindings(original.stderr);
  const fresh = after.filter((finding) => {
    const at = before.indexOf(finding);
    if (at < 0) return true;
    before.splice(at, 1);
    return false;
  });
  // No findings at all means vet itself failed (type errors in tests, say): the patch is to blame then too.
  if (after.length > 0 && fresh.length === 0) {
    rec.add('vet', {
      command: run.command,
      outcome: 'pass',
      exitCode: run.exitCode,
      durationMs: run.durationMs + original.durationMs,
      excerpt: head(run.stderr, 20),
      note: `only findings the original already had (${after.length})`,
    });
    return true;
  }
  rec.add('vet', {
    command: run.command,
    outcome: 'fail',
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    excerpt: head(run.stderr, 40),
    note:
      fresh.length > 0
        ? `new vet findings: ${fresh.slice(0, 3).join('; ')}`
        : `go vet failed: ${firstError(run.stderr)}`,
  });
  return false;
}
