// Workspaces: the repository copied at the incident's revision, the patch applied with git apply, paths kept inside.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { applyDiff, copyRepository, writeInside } from '../../src/verify/workspace.js';

let root: string;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await run(['git', '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'medic-workspace-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('copyRepository', () => {
  it('exports the incident revision of a service that lives in a subdirectory of a git repository', async () => {
    const repo = join(root, 'mono');
    await mkdir(join(repo, 'svc'), { recursive: true });
    await git(repo, 'init', '-q');
    await writeFile(join(repo, 'svc', 'main.go'), 'package main // v1\n');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-qm', 'v1');
    const v1 = await git(repo, 'rev-parse', 'HEAD');
    await writeFile(join(repo, 'svc', 'main.go'), 'package main // v2\n');
    await git(repo, 'commit', '-qam', 'v2');
    await writeFile(join(repo, 'svc', 'main.go'), 'package main // uncommitted\n');

    const dest = join(root, 'ws');
    const source = await copyRepository(join(repo, 'svc'), dest, v1);
    expect(source.how).toBe('git-archive');
    expect(await readFile(join(dest, 'main.go'), 'utf8')).toBe('package main // v1\n');
    // The repository itself is untouched.
    expect(await readFile(join(repo, 'svc', 'main.go'), 'utf8')).toBe('package main // uncommitted\n');
  });

  it('copies the working tree when the revision is unknown, and says so', async () => {
    const svc = join(root, 'plain');
    await mkdir(svc);
    await writeFile(join(svc, 'main.go'), 'package main\n');
    const source = await copyRepository(svc, join(root, 'ws'), 'deadbeef');
    expect(source.how).toBe('copy');
    expect(source.note).toContain('revision deadbeef is not in');
  });

  it('applies a diff against the copy even inside another git repository', async () => {
    const outer = join(root, 'outer');
    await mkdir(outer);
    await git(outer, 'init', '-q');
    const svc = join(root, 'svc');
    await mkdir(svc);
    await writeFile(join(svc, 'a.go'), 'package a\n\nvar X = 1\n');
    const dest = join(outer, 'work', 'ws');
    await copyRepository(svc, dest);
    const diff = '--- a/a.go\n+++ b/a.go\n@@ -1,3 +1,3 @@\n package a\n \n-var X = 1\n+var X = 2\n';
    const applied = await applyDiff(dest, diff, 'fix');
    expect(applied.ok).toBe(true);
    expect(await readFile(join(dest, 'a.go'), 'utf8')).toContain('var X = 2');
  });

  it('refuses to write a file outside the workspace', async () => {
    await expect(writeInside(join(root, 'ws'), '../escape.go', 'x')).rejects.toMatchObject({
      code: 'MEDIC_ERR_VERIFY_WORKSPACE',
    });
  });
});
