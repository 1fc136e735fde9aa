/**
 * Builds the service binary of one commit with the machine's Go, from a clean clone of the run's
 * checkout, into a cache keyed by commit and main package (a commit builds once, whoever asks).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RolloutError } from '../../core/errors.js';
import { run } from '../../core/exec.js';
import type { Progress } from '../../core/progress.js';
import type { Build } from './agent-api.js';

export interface BuildOptions {
  /** The git repository holding `commit`. */
  repoDir: string;
  commit: string;
  /** Go package of the service, relative to the repository (`./cmd/server`). */
  mainPackage: string;
  goBinary: string;
  /** Where built binaries are kept. */
  cacheDir: string;
  onProgress?: Progress;
}

export async function buildService(options: BuildOptions): Promise<Build> {
  const { repoDir, commit, mainPackage } = options;
  const revision = await resolveCommit(repoDir, commit);
  const key = createHash('sha256').update(`${revision}\n${mainPackage}`).digest('hex').slice(0, 20);
  const cacheDir = resolve(options.cacheDir);
  const binary = join(cacheDir, `service-${key}`);
  if (existsSync(binary)) return { binary, revision };
  await mkdir(cacheDir, { recursive: true });
  const src = await mkdtemp(join(cacheDir, 'src-'));
  try {
    options.onProgress?.(`building ${revision.slice(0, 12)} (${mainPackage})`);
    await git(src, ['clone', '--quiet', '--no-hardlinks', '--no-checkout', repoDir, '.']);
    await git(src, ['checkout', '--quiet', '--detach', revision]);
    const temp = `${binary}.${process.pid}.tmp`;
    // -trimpath: frames print module paths, as in the recorded incident, so signatures compare.
    const built = await run([options.goBinary, 'build', '-trimpath', '-o', temp, mainPackage], {
      cwd: src,
      // No toolchain download mid-rollout: the machine's Go builds, or the build fails clearly.
      env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local' },
      timeoutMs: 600_000,
    });
    if (built.exitCode !== 0) {
      throw new RolloutError(
        'MEDIC_ERR_ROLLOUT_BUILD',
        `go build ${mainPackage} at ${revision.slice(0, 12)} failed:\n${built.stderr.trim().slice(-4000)}`,
      );
    }
    await rename(temp, binary);
    return { binary, revision };
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}

/** The full hash of `commit` (a hash, a branch, `HEAD~1`) in `repoDir`. */
export async function resolveCommit(repoDir: string, commit: string): Promise<string> {
  const result = await run(['git', 'rev-parse', '--verify', '--quiet', `${commit}^{commit}`], {
    cwd: repoDir,
    timeoutMs: 60_000,
  });
  if (result.exitCode !== 0) {
    throw new RolloutError('MEDIC_ERR_ROLLOUT_BUILD', `commit ${commit} is not in ${repoDir}`);
  }
  return result.stdout.trim();
}

async function git(cwd: string, args: string[]): Promise<void> {
  const result = await run(['git', ...args], { cwd, timeoutMs: 120_000 });
  if (result.exitCode !== 0) {
    throw new RolloutError(
      'MEDIC_ERR_ROLLOUT_BUILD',
      `git ${args.join(' ')} failed: ${result.stderr.trim()}`,
    );
  }
}
