/**
 * Scratch directories of the patch stage (copies of the service where regression tests are tried),
 * removed when their work ends and, through the process-end clean-ups (core/exit-cleanup.ts), when
 * the process exits or is interrupted before that: a Ctrl-C leaves no copy behind.
 */
import { rmSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessEnd } from '../core/exit-cleanup.js';

const live = new Set<string>();
/** Unregisters `removeAll` from the process-end clean-ups; set while any directory is live. */
let forget: (() => void) | undefined;

function removeAll(): void {
  for (const dir of live) {
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  }
  forget = undefined;
}

/** Scratch directories not yet removed (for tests and diagnostics). */
export function liveScratchDirs(): string[] {
  return [...live];
}

/** A fresh `medic-patch-<purpose>-*` directory under the system temp dir, registered for cleanup. */
export async function makeScratch(purpose: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `medic-patch-${purpose}-`));
  live.add(dir);
  forget ??= onProcessEnd(removeAll);
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
  if (live.size === 0) {
    forget?.();
    forget = undefined;
  }
}
