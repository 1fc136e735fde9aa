// End to end on fixtures/incidents/nil-map-write: ingest, rules diagnosis, ranked patches that `git apply` and pass their regression test.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { loadIncidentDir } from '../../src/core/incident-dir.js';
import type { Patch } from '../../src/core/model.js';
import { diagnose } from '../../src/diagnose/index.js';
import { ingest } from '../../src/ingest/index.js';
import { proposePatches } from '../../src/patch/index.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/incidents/nil-map-write');
let work: string;
let patches: Patch[];
let repoBefore: string;

async function git(dir: string, ...args: string[]): Promise<string> {
  const result = await run(['git', ...args], { cwd: dir });
  expect(result.stderr.replace(/^warning:.*\n?/gm, '')).toBe('');
  return result.stdout;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medic-patch-e2e-'));
  await cp(FIXTURE, join(work, 'incident'), { recursive: true });
  const source = await loadIncidentDir(join(work, 'incident'));
  repoBefore = await readFile(join(source.repoDir, 'internal/inventory/ledger.go'), 'utf8');
  const evidence = await ingest(source.incident, { incidentDir: source.dir, repoDir: source.repoDir });
  const diagnosis = await diagnose(evidence, source.incident, { repoDir: source.repoDir, provider: 'rules' });
  patches = await proposePatches(diagnosis, evidence, source.incident, {
    repoDir: source.repoDir,
    incidentDir: source.dir,
  });
  // A scratch git checkout of the service to apply the diffs in.
  await cp(source.repoDir, join(work, 'repo'), { recursive: true });
  await git(join(work, 'repo'), 'init', '-q');
  await git(join(work, 'repo'), 'add', '-A');
  await git(join(work, 'repo'), '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('nil-map-write fixture', () => {
  it('ranks init-map-at-construction first (the reference fix), then init-map-lazily, recover-and-log last', () => {
    expect(patches.map((p) => p.strategy)).toEqual([
      'init-map-at-construction',
      'init-map-lazily',
      'recover-and-log',
    ]);
    expect(patches[0]?.diff).toContain(
      '+\treturn &Ledger{onHand: onHand, backorders: make(map[string][]Backorder)}',
    );
    expect(patches[1]?.diff).toContain('+\t\tif l.backorders == nil {');
    expect(patches[2]?.operations[0]?.lastResort).toBe(true);
    expect(patches.every((p) => p.operations.every((o) => o.explanation.length > 0))).toBe(true);
  });

  it('leaves the repository untouched', async () => {
    const source = await loadIncidentDir(join(work, 'incident'));
    expect(await readFile(join(source.repoDir, 'internal/inventory/ledger.go'), 'utf8')).toBe(repoBefore);
  });

  it('generates a direct-call regression test that fails before and passes after each real fix', async () => {
    const test = patches[0]?.regressionTest;
    if (test === undefined) throw new Error('no regression test');
    expect(test.packageDir).toBe('./internal/inventory');
    expect(test.source).toContain('ledger.Reserve("xxx", "lamp", 25)');
    const repo = join(work, 'repo');
    await writeFile(join(repo, test.file), test.source);
    const before = await run(['go', 'test', '-count=1', '-run', `^${test.name}$`, test.packageDir], {
      cwd: repo,
    });
    expect(before.exitCode).not.toBe(0);
    expect(before.stdout + before.stderr).toContain('assignment to entry in nil map');
    for (const patch of patches.slice(0, 2)) {
      await writeFile(join(repo, 'candidate.diff'), patch.diff);
      await git(repo, 'apply', 'candidate.diff');
      const vet = await run(['go', 'vet', test.packageDir], { cwd: repo });
      expect(vet.exitCode).toBe(0);
      const after = await run(['go', 'test', '-count=1', test.packageDir], { cwd: repo });
      expect(after.stdout + after.stderr).not.toMatch(/FAIL/);
      await git(repo, 'apply', '-R', 'candidate.diff');
    }
  });
});
