/**
 * The Go toolchain as verification runs it: argv only, a shared build cache (GOCACHE) so repeated
 * verifications stay fast, and no toolchain downloads. Building is trusted (the compiler runs no package code); running is not.
 */

import { VerifyError } from '../core/errors.js';
import { type RunResult, run } from '../core/exec.js';

export interface GoOptions {
  /** The `go` binary. Default: MEDIC_GO or `go` on PATH. */
  binary?: string;
  /** GOCACHE to share between runs. Default: the toolchain's own (`go env GOCACHE`). */
  cacheDir?: string;
}

export interface GoRun extends RunResult {
  /** The argv as recorded in a Check (the binary as named, not resolved). */
  command: string[];
}

export class GoToolchain {
  readonly binary: string;
  private env: Promise<NodeJS.ProcessEnv> | undefined;

  constructor(private readonly options: GoOptions = {}) {
    this.binary = options.binary ?? process.env.MEDIC_GO ?? 'go';
  }

  /** The environment every go command gets: PATH and HOME, module and build caches, fixed flags. */
  private baseEnv(): Promise<NodeJS.ProcessEnv> {
    this.env ??= (async () => {
      const probe = await this.raw(['env', '-json', 'GOCACHE', 'GOMODCACHE', 'GOPATH', 'GOPROXY', 'GOROOT']);
      if (probe.exitCode !== 0) {
        throw new VerifyError(
          'MEDIC_ERR_VERIFY_TOOLCHAIN',
          `${this.binary} env failed: ${probe.stderr.trim()}`,
        );
      }
      const goEnv = JSON.parse(probe.stdout) as Record<string, string>;
      return {
        PATH: process.env.PATH ?? '/usr/local/go/bin:/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        GOCACHE: this.options.cacheDir ?? goEnv.GOCACHE ?? '',
        GOMODCACHE: goEnv.GOMODCACHE ?? '',
        GOPATH: goEnv.GOPATH ?? '',
        GOPROXY: goEnv.GOPROXY ?? 'off',
        GOTOOLCHAIN: 'local',
        // No -trimpath: the standard library then shares cache entries with every other go build here.
        GOFLAGS: '-buildvcs=false',
        ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      };
    })();
    return this.env;
  }

  private async raw(args: string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<RunResult> {
    try {
      return await run([this.binary, ...args], {
        ...(cwd ? { cwd } : {}),
        env: env ?? { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
        timeoutMs: 600_000,
      });
    } catch (error) {
      throw new VerifyError(
        'MEDIC_ERR_VERIFY_TOOLCHAIN',
        `cannot run ${this.binary}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Runs `go args...` in `cwd`; `extraEnv` adds GOOS/GOARCH or CGO settings. */
  async go(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<GoRun> {
    const env = { ...(await this.baseEnv()), ...extraEnv };
    const result = await this.raw(args, cwd, env);
    const prefix = Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`);
    return { ...result, command: [...(prefix.length > 0 ? ['env', ...prefix] : []), 'go', ...args] };
  }

  /** GOCACHE in use (for the record and the bench). */
  async cacheDir(): Promise<string> {
    return (await this.baseEnv()).GOCACHE ?? '';
  }
}
