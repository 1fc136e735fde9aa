/** Test helper: builds test/trace/tracegen once and runs it to write generated traces (schema v1, marked generated). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';

export const TRACEGEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'tracegen');

export interface Tracegen {
  root: string;
  /** Runs the generator; `panic` mode also leaves the program's panic output in panic.log. */
  produce(mode: 'panic' | 'calm'): Promise<{ events: string; stderr: string }>;
  cleanup(): Promise<void>;
}

export async function buildTracegen(): Promise<Tracegen> {
  const root = await mkdtemp(join(tmpdir(), 'medic-tracegen-'));
  const binary = join(root, 'tracegen');
  const built = await run([process.env.MEDIC_GO ?? 'go', 'build', '-o', binary, '.'], {
    cwd: TRACEGEN_DIR,
    timeoutMs: 180_000,
  });
  if (built.exitCode !== 0) throw new Error(`go build tracegen failed:\n${built.stderr}`);
  let n = 0;
  return {
    root,
    async produce(mode) {
      const events = join(root, `events-${mode}-${n++}.ndjson`);
      const result = await run([binary, events, mode], { timeoutMs: 60_000 });
      const expected = mode === 'panic' ? 2 : 0;
      if (result.exitCode !== expected)
        throw new Error(`tracegen ${mode} exited ${result.exitCode}:\n${result.stderr}`);
      return { events, stderr: result.stderr };
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
