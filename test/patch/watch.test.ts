// Regression tests for failures without a panic, on real Go (test/patch/go/watch): each fails on the original the incident's way and passes once the rules' own fix is applied.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import type { FailureClass } from '../../src/core/model.js';
import { GoRepo } from '../../src/lang/go/index.js';
import { buildCandidate, generateRegressionTest, type Operation } from '../../src/patch/index.js';
import { diagnosisAt, evidenceAt, incidentNamed } from './records.js';

const P = 'example.com/watch/watch';
const F = 'watch/watch.go';
let repoDir: string;

beforeAll(async () => {
  repoDir = await mkdtemp(join(tmpdir(), 'medic-watch-'));
  await cp(join(import.meta.dirname, 'go/watch'), repoDir, { recursive: true });
});
afterAll(async () => {
  await rm(repoDir, { recursive: true, force: true });
});

const cases: { cls: FailureClass; line: number; fn: string; kind: string; text: RegExp; fix: Operation }[] = [
  {
    cls: 'deadlock',
    line: 24,
    fn: `${P}.(*Counter).Bump`,
    kind: 'deadlock-watch',
    text: /^fatal error: all goroutines are asleep - deadlock!\n\ngoroutine \d+ \[sync\.Mutex\.Lock\]:[\s\S]*watch\.go:24/m,
    fix: { op: 'call-locked-variant', file: F, line: 24, function: `${P}.(*Counter).Bump`, method: 'Get' },
  },
  {
    cls: 'goroutine-leak',
    line: 38,
    fn: `${P}.Notify.func1`,
    kind: 'goroutine-count',
    text: /goroutine leak: 20 goroutines started by 20 calls of Notify/,
    fix: { op: 'buffer-channel', file: F, line: 38, function: `${P}.Notify.func1`, channel: 'ch' },
  },
  {
    cls: 'heap-leak',
    line: 79,
    fn: `${P}.(*Pool).Use`,
    kind: 'retained-count',
    text: /memory leak: pool.Len\(\) grew from 0 to 20 over 20 calls/,
    fix: {
      op: 'release-on-all-paths',
      file: F,
      line: 83,
      function: `${P}.(*Pool).Use`,
      release: 'p.Release(id)',
    },
  },
];

describe('watching regression tests', () => {
  it.each(cases)(
    '$cls: fails on the original ($kind) and passes after the fix',
    async ({ cls, line, fn, kind, text, fix }) => {
      const at = { file: F, line, function: fn };
      const incident = incidentNamed(`watch-${cls}`, 'watch');
      const repo = new GoRepo(repoDir);
      const test = await generateRegressionTest(
        repo,
        diagnosisAt(at, cls, []),
        evidenceAt(at, cls),
        incident,
        {
          incidentDir: repoDir,
        },
      );
      expect(test).toMatchObject({ kind, validated: true });
      const dir = await mkdtemp(join(tmpdir(), 'medic-watch-run-'));
      try {
        await cp(repoDir, dir, { recursive: true });
        await writeFile(join(dir, test?.file ?? ''), test?.source ?? '');
        const before = await run(['go', 'test', '-count=1', '-run', `^${test?.name}$`, './watch'], {
          cwd: dir,
        });
        expect(before.exitCode).not.toBe(0);
        expect(before.stdout + before.stderr).toMatch(text);
        const built = await buildCandidate(repo, [fix]);
        for (const [path, source] of built.files) await writeFile(join(dir, path), source);
        const after = await run(['go', 'test', '-count=1', '-run', `^${test?.name}$`, './watch'], {
          cwd: dir,
        });
        expect(after.stdout + after.stderr).toMatch(/^ok/m);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
