/** The embedded default forge: the fix stays on a branch of the checkout, with a review file beside the records. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProposeError } from '../core/errors.js';
import { run } from '../core/exec.js';
import type { Proposal } from '../core/model.js';
import type { Forge, Published, ReviewRequest, ReviewStatus } from './forge.js';
import { hasCommit } from './git-refs.js';

export class LocalForge implements Forge {
  readonly name = 'local' as const;

  /** @param reviewDir where `review.md` is written (the run's output directory). */
  constructor(private readonly reviewDir: string) {}

  async publish(request: ReviewRequest): Promise<Published> {
    await mkdir(this.reviewDir, { recursive: true });
    const file = join(this.reviewDir, 'review.md');
    const header = [
      `# ${request.title}`,
      '',
      `Branch \`${request.branch}\` (commit ${request.commit.slice(0, 12)}) in \`${request.repoDir}\`, based on \`${request.baseBranch}\`.`,
      `Review it with: \`git -C ${request.repoDir} show ${request.branch}\``,
      '',
    ].join('\n');
    await writeFile(file, `${header}\n${request.body}`);
    return { url: file, reviewRef: `refs/heads/${request.branch}` };
  }

  /** A review file has no approvals: a local proposal is unreviewed until an operator approves it. */
  async reviewState(proposal: Proposal): Promise<ReviewStatus> {
    return {
      state: 'unreviewed',
      detail: `the local provider has no review (${proposal.url ?? proposal.branch}): an operator approves it`,
    };
  }

  /** The branch lives only in the checkout that proposed it (`<reviewDir>/repo`): fetched from there. */
  async retrieve(proposal: Proposal, repoDir: string): Promise<void> {
    if (await hasCommit(repoDir, proposal.commit)) return;
    const origin = join(this.reviewDir, 'repo');
    const ref = `refs/heads/${proposal.branch}`;
    if (existsSync(origin) && (await hasCommit(origin, proposal.commit))) {
      const fetched = await run(['git', 'fetch', '--quiet', '--force', '--', origin, `+${ref}:${ref}`], {
        cwd: repoDir,
      });
      if (fetched.exitCode === 0 && (await hasCommit(repoDir, proposal.commit))) return;
    }
    throw new ProposeError(
      'MEDIC_ERR_PROPOSE_NOT_PUBLISHED',
      `commit ${proposal.commit.slice(0, 12)} of ${proposal.branch} is only in the checkout that proposed it, not in ${repoDir}`,
    );
  }
}
