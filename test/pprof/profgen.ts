/** Test helper: builds test/pprof/profgen once and runs its modes to produce real profiles in temp dirs. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';

/** The Go module of the workloads (its files are the "repository" profiles point into). */
export const PROFGEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'profgen');

export type Mode = 'kinds' | 'goroutine-leak' | 'heap-leak' | 'panic';

export interface Profgen {
  root: string;
  binary: string;
  /** Runs a mode into a fresh directory; resolves with the directory and the program's stderr. */
  produce(mode: Mode): Promise<{ dir: string; stderr: string; exitCode: number | null }>;
  cleanup(): Promise<void>;
}

export async function buildProfgen(): Promise<Profgen> {
  const root = await mkdtemp(join(tmpdir(), 'medic-profgen-'));
  const binary = join(root, 'profgen');
  const go = process.env.MEDIC_GO ?? 'go';
  const built = await run([go, 'build', '-o', binary, '.'], { cwd: PROFGEN_DIR, timeoutMs: 180_000 });
  if (built.exitCode !== 0) throw new Error(`go build profgen failed:\n${built.stderr}`);
  let n = 0;
  return {
    root,
    binary,
    async produce(mode) {
      const dir = join(root, `${mode}-${n++}`);
      await mkdir(dir);
      const result = await run([binary, mode, dir], { timeoutMs: 60_000 });
      if (result.exitCode !== 0 && mode !== 'panic')
        throw new Error(`profgen ${mode} failed:\n${result.stderr}`);
      return { dir, stderr: result.stderr, exitCode: result.exitCode };
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
