/**
 * The forge port: where a committed fix is published for review (a local review file, a GitHub
 * pull request), and where the rollout reads whether that review approved it.
 */
import type { Incident, Proposal } from '../core/model.js';

export interface ReviewRequest {
  incident: Incident;
  /** The checkout holding the branch. */
  repoDir: string;
  branch: string;
  baseBranch: string;
  commit: string;
  title: string;
  /** Markdown body of the review (the report's pull-request rendering). */
  body: string;
}

export interface Published {
  /** Pull-request URL, or the path of the local review file. */
  url?: string;
  /** Git ref a reviewer can check out. */
  reviewRef?: string;
}

/**
 * Where the review of a proposal stands:
 * - `merged`: merged (by `by`), whatever its head is now;
 * - `approved`: approved by `by` (comma-separated logins) at the proposal's own commit;
 * - `pending`: no approval of the proposal's commit yet;
 * - `changes-requested`: a reviewer's latest decision asks for changes;
 * - `changed`: the pull request's head moved past the verified commit;
 * - `closed`: closed without merging;
 * - `unreviewed`: the forge has no review at all (the local provider).
 */
export interface ReviewStatus {
  state: 'merged' | 'approved' | 'pending' | 'changes-requested' | 'changed' | 'closed' | 'unreviewed';
  /** Who merged or approved. */
  by?: string;
  /** One sentence for the operator and the audit trail. */
  detail: string;
}

export interface Forge {
  readonly name: 'local' | 'github';
  publish(request: ReviewRequest): Promise<Published>;
  /**
   * Reads the review of a published proposal. An approval counts only for the proposal's own
   * commit (the verified one). Throws ProposeError when the forge cannot be read.
   */
  reviewState(proposal: Proposal): Promise<ReviewStatus>;
  /**
   * Brings the proposal's branch and commit into `repoDir` (another machine's checkout of the same
   * repository), as a worker that did not propose needs it to roll the fix out.
   */
  retrieve(proposal: Proposal, repoDir: string): Promise<void>;
}
