/** Small questions to a git repository the forges ask before moving commits around. */
import { run } from '../core/exec.js';

/** Whether `commit` is an object of the repository at `repoDir`. */
export async function hasCommit(repoDir: string, commit: string): Promise<boolean> {
  const r = await run(['git', 'cat-file', '-e', `${commit}^{commit}`], { cwd: repoDir });
  return r.exitCode === 0;
}
