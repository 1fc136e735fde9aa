/**
 * Scratch directories of the patch stage (copies of the service where regression tests are tried),
 * removed when their work ends and, through a cleanup registry, when the process exits or is
 * interrupted (SIGINT, SIGTERM, SIGHUP) before that: a Ctrl-C leaves no copy behind.
 */
import { rmSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function removeAll(): void {
  for (const dir of live) {
    // Synchronous: on exit and in a signal handler there is no later tick to wait for.
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  for (const s of SIGNALS) process.off(s, onSignal);
  installed = false;
  // Without other listeners, die of the signal as the process would have without this handler.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed || live.size > 0) return;
  installed = false;
  process.off('exit', removeAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Scratch directories not yet removed (for tests and diagnostics). */
export function liveScratchDirs(): string[] {
  return [...live];
}

/** A fresh `medic-patch-<purpose>-*` directory under the system temp dir, registered for cleanup. */
export async function makeScratch(purpose: string): Promise<string> {
  install();
  const dir = await mkdtemp(join(tmpdir(), `medic-patch-${purpose}-`));
  live.add(dir);
  return dir;
}

/** A registered scratch copy of `root` (without `.git`). */
export async function scratchCopy(root: string, purpose: string): Promise<string> {
  const dir = await makeScratch(purpose);
  try {
    await cp(root, dir, { recursive: true, filter: (p) => !p.endsWith('/.git') });
  } catch (error) {
    await dropScratch(dir);
    throw error;
  }
  return dir;
}

/** Removes a scratch directory and forgets it; the handlers go when the last one is gone. */
export async function dropScratch(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
  uninstall();
}
