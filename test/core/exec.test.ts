// Programs run() starts live in process groups of their own: they must still end with the process that started them.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, 'exec-child.ts');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-exec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (polling, up to 10 s) until `pid` is gone; true when it went. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
  return !alive(pid);
}

/** Runs exec-child.ts until its program started, optionally signals it; resolves with the program's pid and how the child ended. */
function runChild(mode: 'exit' | 'wait', signal?: NodeJS.Signals) {
  const pidFile = join(dir, 'pid');
  return new Promise<{ pid: number; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, pidFile], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', () => {
      if (signal !== undefined) child.kill(signal);
    });
    child.on('error', reject);
    child.on('exit', (_code, sig) => {
      readFile(pidFile, 'utf8').then((pid) => resolve({ pid: Number(pid), signal: sig }), reject);
    });
  });
}

describe('run() and the end of the process', () => {
  it('kills the programs still running when the process exits', async () => {
    const { pid } = await runChild('exit');
    expect(pid).toBeGreaterThan(0);
    expect(await gone(pid)).toBe(true);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('kills them on %s, which still ends the process', async (sig) => {
    const { pid, signal } = await runChild('wait', sig);
    expect(signal).toBe(sig);
    expect(await gone(pid)).toBe(true);
  });
});
