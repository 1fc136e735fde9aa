/**
 * Verification workspaces: isolated copies of the target repository (at the incident's revision when
 * the repository has it), one left original and one per candidate with the patch and its regression
 * test applied by `git apply`. The repository itself is only ever read.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { VerifyError } from '../core/errors.js';
import { run } from '../core/exec.js';

const GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/root',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Medic',
  GIT_AUTHOR_EMAIL: 'medic@localhost',
  GIT_COMMITTER_NAME: 'Medic',
  GIT_COMMITTER_EMAIL: 'medic@localhost',
};

async function git(cwd: string, args: string[]) {
  return run(['git', ...args], { cwd, env: GIT_ENV, timeoutMs: 120_000 });
}

function workspaceError(message: string, cause?: unknown): VerifyError {
  return new VerifyError('MEDIC_ERR_VERIFY_WORKSPACE', message, cause === undefined ? {} : { cause });
}

/** A fresh directory for one verification run under `workDir`; `remove` deletes it. */
export async function createRunDir(
  workDir: string,
  label: string,
): Promise<{ dir: string; remove(): Promise<void> }> {
  try {
    await mkdir(workDir, { recursive: true });
    const dir = await mkdtemp(join(resolve(workDir), `${label}-`));
    return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    throw workspaceError(`cannot create a workspace under ${workDir}: ${(error as Error).message}`, error);
  }
}

/** How the copy was made, for the apply check's note. */
export interface CopySource {
  how: 'git-archive' | 'copy';
  note: string;
}

/**
 * Copies `repoDir` into `dest`: the tree at `revision` via `git archive` when the repository has
 * that commit, else the working tree as it is. `dest` becomes its own git repository so `git apply`
 * resolves paths against it (and not against a repository that happens to contain the work dir).
 */
export async function copyRepository(repoDir: string, dest: string, revision?: string): Promise<CopySource> {
  let source: CopySource = { how: 'copy', note: 'copied the working tree' };
  await mkdir(dest, { recursive: true });
  const inGit = revision !== undefined && (await git(repoDir, ['rev-parse', '--show-prefix'])).exitCode === 0;
  const resolved = inGit
    ? await git(repoDir, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])
    : undefined;
  if (revision !== undefined && resolved?.exitCode === 0) {
    const prefix = (await git(repoDir, ['rev-parse', '--show-prefix'])).stdout.trim();
    const top = (await git(repoDir, ['rev-parse', '--show-toplevel'])).stdout.trim();
    const tar = `${dest}.tar`;
    // From the top: run in a subdirectory, git archive would look for that subdirectory inside the tree given.
    const archive = await git(top, ['archive', '--format=tar', '-o', tar, `${revision}:${prefix}`]);
    const untar = archive.exitCode === 0 ? await run(['tar', '-xf', tar, '-C', dest]) : archive;
    await rm(tar, { force: true });
    if (untar.exitCode !== 0)
      throw workspaceError(`cannot export ${revision} of ${repoDir}: ${untar.stderr.trim()}`);
    source = { how: 'git-archive', note: `exported revision ${revision}` };
  } else {
    try {
      await cp(repoDir, dest, { recursive: true, filter: (path) => basename(path) !== '.git' });
    } catch (error) {
      throw workspaceError(`cannot copy ${repoDir}: ${(error as Error).message}`, error);
    }
    if (revision !== undefined) {
      source.note = `copied the working tree (revision ${revision} is not in ${repoDir})`;
    }
  }
  const init = await git(dest, ['init', '--quiet']);
  if (init.exitCode !== 0) throw workspaceError(`git init failed in ${dest}: ${init.stderr.trim()}`);
  return source;
}

/** A second copy of an existing workspace (cheaper than exporting the repository again). */
export async function cloneWorkspace(from: string, dest: string): Promise<void> {
  try {
    await cp(from, dest, { recursive: true });
  } catch (error) {
    throw workspaceError(`cannot copy workspace ${from}: ${(error as Error).message}`, error);
  }
}

export interface ApplyResult {
  ok: boolean;
  argv: string[];
  exitCode: number | null;
  output: string;
  durationMs: number;
}

/** `git apply` of a unified diff (written to a file beside the workspace, never through a shell). */
export async function applyDiff(
  dir: string,
  diff: string,
  name: string,
  extra: string[] = [],
): Promise<ApplyResult> {
  const file = join(dirname(dir), `${name}.diff`);
  await writeFile(file, diff.endsWith('\n') ? diff : `${diff}\n`);
  const flags = ['--whitespace=nowarn', '--verbose', ...extra];
  const r = await git(dir, ['apply', ...flags, file]);
  return {
    ok: r.exitCode === 0,
    argv: ['git', 'apply', ...flags, `${name}.diff`],
    exitCode: r.exitCode,
    output: `${r.stdout}${r.stderr}`.trim(),
    durationMs: r.durationMs,
  };
}

/** Writes a repository-relative file into a workspace, refusing paths that leave it. */
export async function writeInside(dir: string, path: string, content: string): Promise<string> {
  const target = resolve(dir, path);
  const rel = relative(dir, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || rel.startsWith(sep)) {
    throw workspaceError(`refusing to write ${path}: it is outside the workspace`);
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
  return target;
}

/** Removes a file written by `writeInside`, when present. */
export async function removeInside(dir: string, path: string): Promise<void> {
  const target = resolve(dir, path);
  if (existsSync(target)) await rm(target, { force: true });
}
