/**
 * Go test binaries: building them (`go test -c`, for wasip1 where the package allows, natively
 * otherwise, or with -race), the sandbox step that runs one, and reading `-test.v` output into
 * per-test outcomes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GoRun, GoToolchain } from './go.js';
import { sandboxEnv } from './sandbox/index.js';
import type { ExecStep, Limits } from './sandbox/job.js';
import type { PackageInfo } from './selection.js';

export type Isolation = 'wasi' | 'netns' | 'native';

/** A built test binary and where it may run. */
export interface TestTarget {
  pkg: PackageInfo;
  /** Absolute path of the binary (`.wasm` for wasip1). */
  binary: string;
  wasm: boolean;
  race: boolean;
  /** Why wasip1 was or was not used. */
  reason: string;
}

export interface BuildOutcome {
  target?: TestTarget;
  run: GoRun;
}

function binaryName(pkg: PackageInfo, suffix: string): string {
  const base = pkg.rel === '.' ? 'root' : pkg.rel.slice(2).replaceAll('/', '_');
  return `${base}${suffix}`;
}

/**
 * Builds the test binary of `pkg` in `workspace` into `binDir`. With `preferWasi` it tries
 * GOOS=wasip1 first and falls back to a native build, saying why.
 */
export async function buildTestBinary(
  go: GoToolchain,
  workspace: string,
  binDir: string,
  pkg: PackageInfo,
  mode: { preferWasi: boolean; race: boolean; tag: string },
): Promise<BuildOutcome> {
  await mkdir(binDir, { recursive: true });
  let wasiFailure = '';
  if (mode.preferWasi && !mode.race) {
    const binary = join(binDir, binaryName(pkg, `${mode.tag}.wasm`));
    const run = await go.go(['test', '-c', '-o', binary, pkg.rel], workspace, {
      GOOS: 'wasip1',
      GOARCH: 'wasm',
    });
    if (run.exitCode === 0) {
      // WASI sees only the package directory, so its temporary files must live there too.
      await mkdir(wasiTmp(pkg), { recursive: true });
      return {
        run,
        target: { pkg, binary, wasm: true, race: false, reason: 'the package builds for wasip1' },
      };
    }
    wasiFailure = firstError(run.stderr);
  }
  const binary = join(binDir, binaryName(pkg, `${mode.tag}${mode.race ? '.race' : ''}.test`));
  const args = ['test', '-c', ...(mode.race ? ['-race'] : []), '-o', binary, pkg.rel];
  const run = await go.go(args, workspace);
  if (run.exitCode !== 0) return { run };
  const reason = mode.race
    ? 'the race detector needs a native build'
    : mode.preferWasi
      ? `the package does not build for wasip1 (${wasiFailure})`
      : 'native isolation was requested';
  return { run, target: { pkg, binary, wasm: false, race: mode.race, reason } };
}

/** The first compiler error line of go's output, without the `# pkg` header. */
export function firstError(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'));
  return (line ?? stderr).trim().slice(0, 200);
}

export interface TestStepOptions {
  /** Extra -test.* flags, e.g. ['-test.run', '^TestX$']. */
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
  /** TMPDIR for the tests (inside what the step may write). */
  tmpDir: string;
  maxOutputBytes?: number;
}

const GiB = 1024 ** 3;

export function limitsFor(target: { wasm: boolean; race: boolean }, timeoutMs: number): Limits {
  return {
    // CPU seconds across threads: the wall-clock limit times the cores a test may keep busy.
    cpuSeconds: Math.ceil(timeoutMs / 1000) * 2,
    // Race builds and V8's wasm reservations need far more address space than they use.
    memoryBytes: target.wasm || target.race ? null : 4 * GiB,
    fileBytes: 256 * 1024 * 1024,
    openFiles: 1024,
  };
}

/** TMPDIR of a wasip1 test: inside the one directory it can see (dot dirs are invisible to go). */
export function wasiTmp(pkg: PackageInfo): string {
  return join(pkg.dir, '.medic-tmp');
}

/** The sandbox step that runs a test binary in its package directory. */
export function testStep(target: TestTarget, options: TestStepOptions): ExecStep {
  const seconds = Math.max(1, Math.floor(options.timeoutMs / 1000) - 2);
  const argv = [target.binary, '-test.v', '-test.count=1', `-test.timeout=${seconds}s`, ...options.args];
  const tmp = target.wasm ? wasiTmp(target.pkg) : options.tmpDir;
  const env = sandboxEnv({ ...options.env, TMPDIR: tmp, HOME: tmp });
  return {
    kind: 'exec',
    argv,
    cwd: target.pkg.dir,
    env,
    timeoutMs: options.timeoutMs,
    limits: limitsFor(target, options.timeoutMs),
    ...(target.wasm ? { wasm: { preopen: target.pkg.dir } } : {}),
    ...(options.maxOutputBytes ? { maxOutputBytes: options.maxOutputBytes } : {}),
  };
}

/** Per-test outcomes read from `-test.v` output. Only top-level tests count (subtests roll up). */
export interface TestOutcome {
  passed: Set<string>;
  failed: Set<string>;
  /** The binary failed with no test to blame (TestMain, init, a crash before any test): `(package)`. */
  packageFailed: boolean;
  exitCode: number | null;
  timedOut: boolean;
}

export function parseTestOutput(output: string, exitCode: number | null, timedOut: boolean): TestOutcome {
  const passed = new Set<string>();
  const failed = new Set<string>();
  const running: string[] = [];
  for (const line of output.split('\n')) {
    const run = /^=== (?:RUN|CONT)\s+([^\s/]+)$/.exec(line);
    if (run?.[1]) {
      running.push(run[1]);
      continue;
    }
    const result = /^--- (PASS|FAIL|SKIP): ([^\s/]+) /.exec(line);
    if (result?.[2]) {
      if (result[1] === 'FAIL') failed.add(result[2]);
      else passed.add(result[2]);
    }
  }
  // A panic or time-out kills the binary mid-test: the test that was running is the one to blame.
  if (exitCode !== 0) {
    const unfinished = running.filter((t) => !passed.has(t) && !failed.has(t));
    for (const t of unfinished) failed.add(t);
  }
  return { passed, failed, packageFailed: exitCode !== 0 && failed.size === 0, exitCode, timedOut };
}

/** Anchored `-test.run`/`-test.skip` pattern for exact test names. */
export function exactNames(names: Iterable<string>): string {
  const list = [...names].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `^(${list.join('|')})$`;
}
