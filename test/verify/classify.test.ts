// Failure classes read from real runtime output: a Go program crashed once per class.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import type { FailureClass } from '../../src/core/model.js';
import { failureExcerpt } from '../../src/verify/checks.js';
import { classifyOutput, sameFailure } from '../../src/verify/classify.js';

const CRASH = fileURLToPath(new URL('./crash', import.meta.url));
let root: string;
let binary: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medic-classify-'));
  binary = join(root, 'crash');
  // Without cgo: the runtime's deadlock detector is only reliable in a pure Go binary.
  const r = await run(['go', 'build', '-o', binary, '.'], {
    cwd: CRASH,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  if (r.exitCode !== 0) throw new Error(r.stderr);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function crash(mode: string): Promise<string> {
  const r = await run([binary, mode], { timeoutMs: 30_000 });
  return `${r.stdout}${r.stderr}`;
}

const CLASSES: FailureClass[] = [
  'nil-map-write',
  'nil-deref',
  'index-range',
  'slice-range',
  'closed-channel-close',
  'send-on-closed',
  'divide-by-zero',
  'type-assertion',
  'deadlock',
  'concurrent-map-write',
  'custom-panic',
];

describe('classifyOutput on real runtime output', () => {
  it.each(CLASSES)('reads %s', async (cls) => {
    const output = await crash(cls);
    expect(classifyOutput(output)?.class).toBe(cls);
  });

  it('reads a panic net/http recovered and logged, with the log prefix', async () => {
    const output = await crash('http-recovered');
    expect(output).toContain('http: panic serving');
    expect(classifyOutput(output)?.class).toBe('nil-map-write');
    expect(failureExcerpt(output)).toContain('assignment to entry in nil map');
  });

  it('finds nothing in clean output', async () => {
    expect(classifyOutput(await crash('clean'))).toBeUndefined();
  });

  it('treats a race and a concurrent map write as one family, and unknown as a wildcard', () => {
    expect(sameFailure('race', 'concurrent-map-write')).toBe(true);
    expect(sameFailure('nil-deref', 'nil-map-write')).toBe(false);
    expect(sameFailure('nil-deref', undefined)).toBe(true);
    expect(sameFailure('nil-deref', 'unknown')).toBe(true);
  });
});
