/** One controller per rollout: a lock file holding the controller's pid; a lock whose process is gone (killed) is taken over. */
import { readFileSync } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RolloutError } from '../core/errors.js';

export interface Lock {
  release(): Promise<void>;
}

export async function acquireLock(file: string): Promise<Lock> {
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(safeRead(file), 10);
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new RolloutError('MEDIC_ERR_ROLLOUT_LOCKED', `controller ${holder} holds ${file}`);
    }
    // Its controller died (SIGKILL, a crash): the lock is stale.
    await unlink(file).catch(() => undefined);
  }
  throw new RolloutError('MEDIC_ERR_ROLLOUT_LOCKED', `${file} keeps being taken by another controller`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A reused pid of some other program does not hold the lock.
  return safeRead(`/proc/${pid}/cmdline`).includes('node');
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
