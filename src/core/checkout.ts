/**
 * The run's checkout of the target repository: a git repository Medic may read and branch in,
 * never the user's own working tree. A repository root is cloned at the incident's revision; a
 * plain source folder (a fixture) is copied and committed as the baseline.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError, ProposeError } from './errors.js';
import { run } from './exec.js';

export interface Checkout {
  dir: string;
  /** Commit the incident is analysed at. */
  revision: string;
  branch: string;
}

/** Identity for commits Medic makes, with fixed dates so a replay gives the same baseline commit. */
export const MEDIC_GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Medic',
  GIT_AUTHOR_EMAIL: 'medic@localhost',
  GIT_COMMITTER_NAME: 'Medic',
  GIT_COMMITTER_EMAIL: 'medic@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
};

export async function git(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = MEDIC_GIT_ENV,
): Promise<string> {
  const result = await run(['git', ...args], { cwd, env, timeoutMs: 120_000 });
  if (result.exitCode !== 0) {
    throw new ProposeError('MEDIC_ERR_PROPOSE_GIT', `git ${args.join(' ')} failed: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

/** Prepares `dest` as a fresh checkout of `source` at `revision` (the current HEAD when absent). */
export async function prepareCheckout(source: string, dest: string, revision?: string): Promise<Checkout> {
  if (!existsSync(source))
    throw new InputError('MEDIC_ERR_INPUT_REPO_MISSING', `repository ${source} does not exist`);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  if (existsSync(join(source, '.git'))) {
    await git(dest, ['clone', '--quiet', '--no-hardlinks', source, '.']);
    if (revision !== undefined) await git(dest, ['checkout', '--quiet', '-B', 'main', revision]);
  } else {
    await cp(source, dest, { recursive: true, filter: (path) => basename(path) !== '.git' });
    await git(dest, ['init', '--quiet', '--initial-branch=main']);
    await git(dest, ['add', '--all']);
    const fixed = {
      ...MEDIC_GIT_ENV,
      GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
    };
    await git(
      dest,
      ['commit', '--quiet', '--no-verify', '-m', 'Baseline: the source as recorded with the incident'],
      fixed,
    );
  }
  const head = await git(dest, ['rev-parse', 'HEAD']);
  const branch = await git(dest, ['rev-parse', '--abbrev-ref', 'HEAD']);
  return { dir: dest, revision: head, branch };
}
