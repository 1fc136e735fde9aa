/**
 * The original side of a verification, shared by every candidate of one incident: the pristine
 * workspace, its test binaries and their results (tests before), and the original service binary.
 * Computed lazily and once, so ranking several candidates pays for the baseline only once.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GoRun, GoToolchain } from './go.js';
import {
  failureCount,
  type PackageRun,
  runPackageTests,
  type SideOptions,
  TEST_TIMEOUT_MS,
} from './package-tests.js';
import type { Sandbox } from './sandbox/index.js';
import type { PackageInfo } from './selection.js';
import { exactNames, parseTestOutput, type TestOutcome, testStep } from './testrun.js';
import { type CopySource, copyRepository } from './workspace.js';

export type { PackageRun } from './package-tests.js';

export interface BaselineOptions {
  go: GoToolchain;
  sandbox: Sandbox;
  runDir: string;
  repoDir: string;
  revision?: string;
}

export class Baseline {
  readonly dir: string;
  readonly binDir: string;
  readonly tmpDir: string;
  private copied: Promise<CopySource> | undefined;
  private runs = new Map<string, Promise<PackageRun>>();
  private serviceBuilds = new Map<string, Promise<{ run: GoRun; binary: string }>>();

  constructor(readonly options: BaselineOptions) {
    this.dir = join(options.runDir, 'original');
    this.binDir = join(options.runDir, 'bin-original');
    this.tmpDir = join(this.dir, '.medic-tmp');
  }

  /** The pristine copy of the repository (made on first use). */
  workspace(): Promise<CopySource> {
    this.copied ??= (async () => {
      const source = await copyRepository(this.options.repoDir, this.dir, this.options.revision);
      await mkdir(this.tmpDir, { recursive: true });
      return source;
    })();
    return this.copied;
  }

  private side(tag: string): SideOptions {
    return { workspace: this.dir, binDir: this.binDir, tmpDir: this.tmpDir, writable: [this.dir], tag };
  }

  /** Tests of `pkgs` on the original code; each package is run once per baseline, the missing ones in one batch. */
  async testsBefore(pkgs: readonly PackageInfo[]): Promise<PackageRun[]> {
    const missing = pkgs.filter((p) => !this.runs.has(p.importPath));
    if (missing.length > 0) {
      const batch = this.computeBefore(missing);
      for (const p of missing) {
        this.runs.set(
          p.importPath,
          batch.then((runs) => runs.find((r) => r.pkg.importPath === p.importPath) as PackageRun),
        );
      }
    }
    return Promise.all(pkgs.map((p) => this.runs.get(p.importPath) as Promise<PackageRun>));
  }

  private async computeBefore(pkgs: readonly PackageInfo[]): Promise<PackageRun[]> {
    await this.workspace();
    const { go, sandbox } = this.options;
    const first = await runPackageTests(
      go,
      sandbox,
      pkgs.map((pkg) => ({ pkg, preferWasi: sandbox.preferWasi })),
      this.side(''),
    );
    // WASI withholds real files and processes; a test that fails only there says nothing about the code.
    const suspect = first.filter((r) => r.isolation === 'wasi' && failureCount(r) > 0);
    if (suspect.length === 0) return first;
    const native = await runPackageTests(
      go,
      sandbox,
      suspect.map((r) => ({ pkg: r.pkg, preferWasi: false })),
      this.side('.native'),
    );
    return first.map((run) => {
      const alt = native.find((n) => n.pkg.importPath === run.pkg.importPath);
      if (alt?.outcome === undefined || failureCount(alt) >= failureCount(run)) return run;
      const failing = [...(run.outcome?.failed ?? [])].slice(0, 3).join(', ') || 'the package';
      return {
        ...alt,
        reason: `${alt.reason}; tests fail under wasip1 only (${failing}): they need what WASI withholds`,
      };
    });
  }

  /** Re-runs named tests of a package on the original binary (tests the full run never reached). */
  async rerun(run: PackageRun, names: string[]): Promise<TestOutcome | undefined> {
    if (run.target === undefined || names.length === 0) return undefined;
    const step = testStep(run.target, {
      args: ['-test.run', exactNames(names)],
      env: {},
      timeoutMs: TEST_TIMEOUT_MS,
      tmpDir: this.tmpDir,
    });
    const [result] = await this.options.sandbox.exec([step], [this.dir]);
    return result
      ? parseTestOutput(`${result.stdout}${result.stderr}`, result.exitCode, result.timedOut)
      : undefined;
  }

  /** The original service binary (`go build [-race] -o ... <mainPackage>`), built once. */
  service(mainPackage: string, race: boolean): Promise<{ run: GoRun; binary: string }> {
    const key = `${mainPackage}\n${race}`;
    let build = this.serviceBuilds.get(key);
    if (build === undefined) {
      build = (async () => {
        await this.workspace();
        const binary = join(this.binDir, `service-original${race ? '-race' : ''}`);
        const run = await this.options.go.go(
          ['build', ...(race ? ['-race'] : []), '-o', binary, mainPackage],
          this.dir,
        );
        return { run, binary };
      })();
      this.serviceBuilds.set(key, build);
    }
    return build;
  }
}
