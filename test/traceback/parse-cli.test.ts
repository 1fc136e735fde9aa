// `medic parse` from the outside: the real CLI on corpus outputs, files and standard input, and its errors.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { run } from '../../src/core/exec.js';
import { Failure } from '../../src/core/model.js';

const MEDIC = join(import.meta.dirname, '../../bin/medic.js');
const corpus = join(import.meta.dirname, 'corpus');

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medic-parse-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function medic(args: string[], input?: string) {
  return run(['node', MEDIC, 'parse', ...args], {
    cwd: tmp,
    timeoutMs: 60_000,
    ...(input === undefined ? {} : { input }),
  });
}

describe('medic parse', () => {
  it('prints each failure with class, message, crash site and buckets', async () => {
    const r = await medic([join(corpus, 'pool.txt'), '--module', 'example.com/shop', '--frames', '2']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('1 failure\n');
    expect(r.stdout).toMatch(/^1\. panic custom-panic, lines 1-\d+$/m);
    expect(r.stdout).toContain('pool exhausted after 30 workers');
    expect(r.stdout).toMatch(
      /crashed goroutine 1 \[running\]:\n +main\.pool {2}cmd\/crasher\/main\.go:\d+ {2}\(application\)/,
    );
    expect(r.stdout).toMatch(
      /31 goroutines in 3 buckets \(any-pointer\):\n +20× \[chan receive\] example\.com\/shop\/internal\/worker\.Serve/,
    );
  });

  it('prints the Failure records with --json, reading standard input and the module path from --repo', async () => {
    const repo = join(tmp, 'shop');
    await mkdir(repo);
    await writeFile(join(repo, 'go.mod'), 'module example.com/shop // the service\n\ngo 1.22\n');
    const text = readFileSync(join(corpus, 'race-then-panic.txt'), 'utf8');
    const r = await medic(['-', '--json', '--repo', repo, '--buckets', 'all'], text);
    expect(r.exitCode).toBe(0);
    const failures = z.array(Failure).parse(JSON.parse(r.stdout));
    expect(failures.map((f) => f.class)).toEqual(['race', 'nil-deref']);
    expect(failures[0]?.source.artifact).toBe('stdin');
    expect(failures[1]?.goroutines[0]?.frames[0]).toMatchObject({
      kind: 'application',
      repoFile: 'internal/cart/cart.go',
    });
    expect(new Set(failures[1]?.buckets.map((b) => b.level))).toEqual(
      new Set(['exact', 'any-pointer', 'any-value']),
    );
  });

  it('escapes control characters of untrusted messages', async () => {
    const file = join(tmp, 'evil.txt');
    await writeFile(
      file,
      'panic: \u001b[31mred\u0007\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1\n',
    );
    const r = await medic([file]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('\\x1b[31mred\\x07');
    expect(r.stdout).not.toContain('\u001b');
  });

  it('fails with a code on input without a failure, a missing file and a bad option', async () => {
    const empty = join(tmp, 'quiet.txt');
    await writeFile(empty, 'all good\n');
    const none = await medic([empty]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('MEDIC_ERR_INGEST_NO_FAILURE');
    const missing = await medic([join(tmp, 'nope.txt')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('MEDIC_ERR_INPUT_NOT_FOUND');
    const bad = await medic([empty, '--buckets', 'fuzzy']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('MEDIC_ERR_INPUT_BAD_OPTION');
  });
});
