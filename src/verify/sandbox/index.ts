/**
 * The sandbox as verification uses it: one confinement decision per run (fresh namespaces when
 * `unshare` works, else the native fallback, both with rlimits and a time limit), steps batched
 * into launcher jobs, and the environment untrusted code gets (no secrets: built from nothing).
 */
import type { Isolation } from '../testrun.js';
import type { ExecResult, ReplayResult, Step } from './job.js';
import { type Confinement, probeConfinement, runJob } from './runner.js';

export type { ExecResult, ExecStep, ReplayResult, ReplayStep, Step } from './job.js';
export { type Confinement, probeConfinement } from './runner.js';

/** `auto`: WASI where the package builds for wasip1, else namespaces when available, else native. */
export type IsolationMode = 'auto' | 'netns' | 'native';

/** The environment untrusted code runs with: nothing inherited from Medic's own (no tokens, no keys). */
export function sandboxEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', ...extra };
}

/** Environment names that look like credentials; the service's recorded env is passed without them. */
const SECRET_NAME = /secret|token|passw|api[_-]?key|credential|private[_-]?key|auth/i;

export function withoutSecrets(env: Record<string, string>): {
  env: Record<string, string>;
  dropped: string[];
} {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME.test(name)) dropped.push(name);
    else kept[name] = value;
  }
  return { env: kept, dropped };
}

export class Sandbox {
  private decided: Promise<Confinement> | undefined;
  private jobs = 0;

  constructor(
    readonly mode: IsolationMode,
    private readonly scratchDir: string,
  ) {}

  /** Whether test binaries should be built for wasip1 first. */
  get preferWasi(): boolean {
    return this.mode === 'auto';
  }

  /** The confinement for native steps, decided once. */
  confinement(): Promise<Confinement> {
    this.decided ??= (async () => {
      if (this.mode === 'native')
        return { kind: 'native' as const, reason: 'native isolation was requested' };
      return probeConfinement();
    })();
    return this.decided;
  }

  /** The isolation one step gets: WASI for wasm steps, else the run's confinement. */
  async isolationOf(wasm: boolean): Promise<{ kind: Isolation; reason: string }> {
    if (wasm) return { kind: 'wasi', reason: 'node:wasi with only the package directory preopened' };
    return this.confinement();
  }

  /** Runs exec steps; `writable` lists what they may write. */
  async exec(steps: Step[], writable: string[]): Promise<ExecResult[]> {
    const results = await this.run(steps, writable);
    return results.map((r) => {
      if (r.kind !== 'exec') throw new TypeError('sandbox: an exec step returned a replay result');
      return r;
    });
  }

  async replay(steps: Step[], writable: string[]): Promise<ReplayResult[]> {
    const results = await this.run(steps, writable);
    return results.map((r) => {
      if (r.kind !== 'replay') throw new TypeError('sandbox: a replay step returned an exec result');
      return r;
    });
  }

  private async run(steps: Step[], writable: string[]) {
    if (steps.length === 0) return [];
    const confinement = await this.confinement();
    const result = await runJob(
      { confinement: confinement.kind, writable, steps },
      { scratchDir: this.scratchDir, name: `job-${++this.jobs}` },
    );
    return result.results;
  }
}
