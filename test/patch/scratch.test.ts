// Scratch directories of the patch stage are removed when their work ends, and when the process exits or is interrupted first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropScratch, liveScratchDirs, makeScratch } from '../../src/patch/scratch.js';

const CHILD = join(import.meta.dirname, 'scratch', 'child.ts');

/** Runs the child until it printed its scratch dir, then optionally signals it; resolves with the dir and how it ended. */
function runChild(mode: 'exit' | 'wait', signal?: NodeJS.Signals) {
  return new Promise<{ dir: string; code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], {
        cwd: join(import.meta.dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (signal !== undefined && out.includes('\n')) child.kill(signal);
      });
      child.on('error', reject);
      child.on('exit', (code, sig) => resolve({ dir: out.trim(), code, signal: sig }));
    },
  );
}

describe('scratch directories', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'are removed when the process gets %s, which still ends it',
    async (sig) => {
      const { dir, signal } = await runChild('wait', sig);
      expect(dir).toMatch(/medic-patch-repro-/);
      expect(signal).toBe(sig);
      expect(existsSync(dir)).toBe(false);
    },
  );

  it('are removed when the process exits without dropping them', async () => {
    const { dir, code } = await runChild('exit');
    expect(code).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('are removed by dropScratch, which also takes the signal handlers away', async () => {
    const before = process.listenerCount('SIGTERM');
    const dir = await makeScratch('test');
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await dropScratch(dir);
    expect(existsSync(dir)).toBe(false);
    expect(liveScratchDirs()).not.toContain(dir);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
