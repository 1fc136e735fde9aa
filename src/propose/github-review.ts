/**
 * The review of a pull request as the rollout needs it: merged, closed, moved past the verified
 * commit, or each reviewer's latest decision — where an approval counts only at the verified commit.
 */
import type { Octokit } from '@octokit/rest';
import { ProposeError } from '../core/errors.js';
import type { Proposal } from '../core/model.js';
import type { ReviewStatus } from './forge.js';
import { forgeError } from './github-errors.js';

/** `https://HOST/OWNER/REPO/pull/N` → its parts (github.com and Enterprise Server alike). */
export function parsePullUrl(url: string): { owner: string; repo: string; number: number } | undefined {
  const m = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/pull\/(\d+)\/?$/.exec(url);
  if (m === null || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { owner: m[1], repo: m[2], number: Number(m[3]) };
}

export async function readReview(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  proposal: Proposal,
): Promise<ReviewStatus> {
  const pull = proposal.url === undefined ? undefined : parsePullUrl(proposal.url);
  if (pull === undefined || pull.owner !== repo.owner || pull.repo !== repo.repo) {
    throw new ProposeError(
      'MEDIC_ERR_PROPOSE_NOT_PUBLISHED',
      `proposal.url ${proposal.url ?? '(none)'} is not a pull request of ${repo.owner}/${repo.repo}`,
    );
  }
  const where = { ...repo, pull_number: pull.number };
  const url = proposal.url ?? '';
  try {
    const { data: pr } = await octokit.rest.pulls.get(where);
    if (pr.merged || pr.merged_at) {
      return {
        state: 'merged',
        ...(pr.merged_by ? { by: pr.merged_by.login } : {}),
        detail: `${url} was merged`,
      };
    }
    if (pr.state === 'closed') return { state: 'closed', detail: `${url} was closed without merging` };
    if (pr.head.sha !== proposal.commit) {
      return {
        state: 'changed',
        detail: `${url} now ends at ${pr.head.sha.slice(0, 12)}, not at the verified commit ${proposal.commit.slice(0, 12)}`,
      };
    }
    const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...where, per_page: 100 });
    return verdictOf(reviews, proposal, url);
  } catch (error) {
    throw forgeError(`read the review of ${url}`, error);
  }
}

interface Review {
  state: string;
  commit_id?: string | null;
  user?: { login: string } | null;
}

/** Each reviewer's last approving, blocking or dismissed review counts (comments change nothing), as GitHub counts them. */
function verdictOf(reviews: readonly Review[], proposal: Proposal, url: string): ReviewStatus {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    if (!['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(review.state)) continue;
    latest.set(review.user?.login ?? '(unknown)', review);
  }
  const blocking = [...latest.entries()]
    .filter(([, r]) => r.state === 'CHANGES_REQUESTED')
    .map(([who]) => who);
  if (blocking.length > 0) {
    return { state: 'changes-requested', detail: `${blocking.join(', ')} requested changes on ${url}` };
  }
  // An approval of an earlier head does not vouch for the verified commit.
  const approvers = [...latest.entries()]
    .filter(([, r]) => r.state === 'APPROVED' && (r.commit_id ?? proposal.commit) === proposal.commit)
    .map(([who]) => who);
  if (approvers.length > 0) {
    return { state: 'approved', by: approvers.join(', '), detail: `${approvers.join(', ')} approved ${url}` };
  }
  return {
    state: 'pending',
    detail: `${url} has no approving review of ${proposal.commit.slice(0, 12)} yet`,
  };
}
