/**
 * Running several packages' tests on one side (original or patched): their test binaries built two
 * at a time, then all run in one sandbox job, each read into per-test outcomes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GoRun, GoToolchain } from './go.js';
import type { Sandbox } from './sandbox/index.js';
import type { PackageInfo } from './selection.js';
import {
  type BuildOutcome,
  buildTestBinary,
  exactNames,
  type Isolation,
  parseTestOutput,
  type TestOutcome,
  type TestTarget,
  testStep,
} from './testrun.js';

export const TEST_TIMEOUT_MS = 120_000;

/** One package's tests as run on one side. */
export interface PackageRun {
  pkg: PackageInfo;
  target?: TestTarget;
  isolation: Isolation;
  reason: string;
  outcome?: TestOutcome;
  output: string;
  durationMs: number;
  /** Set when the tests could not be built. */
  buildFailure?: GoRun;
  /** The package does not exist on this side (the patch adds it). */
  absent?: boolean;
}

/** The same package seen from another copy of the repository. */
export function rebase(pkg: PackageInfo, root: string): PackageInfo {
  return { ...pkg, dir: pkg.rel === '.' ? root : join(root, pkg.rel.slice(2)) };
}

/** Maps `items` through `fn`, at most `limit` at a time (go builds are parallel inside; two keeps both cores busy at link time). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface SideOptions {
  workspace: string;
  binDir: string;
  tmpDir: string;
  /** What the steps may write: the side's own workspace. */
  writable: string[];
  tag: string;
  /** Tests not to run (the regression test, which reproduction runs on its own). */
  skip?: string[];
}

/** Builds and runs the tests of `pkgs` (each with its WASI preference) on one side. */
export async function runPackageTests(
  go: GoToolchain,
  sandbox: Sandbox,
  pkgs: readonly { pkg: PackageInfo; preferWasi: boolean }[],
  side: SideOptions,
): Promise<PackageRun[]> {
  const local = pkgs.map(({ pkg, preferWasi }) => ({ pkg: rebase(pkg, side.workspace), preferWasi }));
  const builds = await mapLimit(local, 2, async ({ pkg, preferWasi }): Promise<BuildOutcome | undefined> => {
    if (!existsSync(pkg.dir)) return undefined;
    return buildTestBinary(go, side.workspace, side.binDir, pkg, { preferWasi, race: false, tag: side.tag });
  });
  const targets = builds.flatMap((b) => (b?.target ? [b.target] : []));
  const skip = side.skip && side.skip.length > 0 ? ['-test.skip', exactNames(side.skip)] : [];
  const results = await sandbox.exec(
    targets.map((t) => testStep(t, { args: skip, env: {}, timeoutMs: TEST_TIMEOUT_MS, tmpDir: side.tmpDir })),
    side.writable,
  );
  const confinement = await sandbox.isolationOf(false);
  return Promise.all(
    local.map(async ({ pkg }, i): Promise<PackageRun> => {
      const build = builds[i];
      if (build === undefined) {
        return {
          pkg,
          isolation: confinement.kind,
          reason: 'absent on this side',
          output: '',
          durationMs: 0,
          absent: true,
        };
      }
      const target = build.target;
      if (target === undefined) {
        return {
          pkg,
          isolation: confinement.kind,
          reason: confinement.reason,
          output: '',
          durationMs: build.run.durationMs,
          buildFailure: build.run,
        };
      }
      const result = results[targets.indexOf(target)];
      if (result === undefined) throw new TypeError('sandbox returned fewer results than steps');
      const iso = await sandbox.isolationOf(target.wasm);
      const output = `${result.stdout}${result.stderr}${result.startError ? `\n${result.startError}` : ''}`;
      return {
        pkg,
        target,
        isolation: iso.kind,
        reason: `${iso.reason}; ${target.reason}`,
        outcome: parseTestOutput(output, result.exitCode, result.timedOut),
        output,
        durationMs: build.run.durationMs + result.durationMs,
      };
    }),
  );
}

/** Failures in a run, counting a package-level failure as one. */
export function failureCount(run: PackageRun): number {
  return (run.outcome?.failed.size ?? 0) + Number(run.outcome?.packageFailed ?? false);
}
