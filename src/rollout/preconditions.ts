/**
 * When a rollout may start: a verified patch, proposed, and reviewed — approved or merged on its
 * forge as the config says — or explicitly let through by an operator. The review is read through
 * the forge port (`Forge.reviewState`): the local provider has none, so it always needs the
 * operator; a reviewer's request for changes stops it outright.
 */

import { isMedicError, RolloutError } from '../core/errors.js';
import type { Incident, Proposal, RolloutApproval, Verification } from '../core/model.js';
import type { Forge, ReviewStatus } from '../propose/index.js';

export interface ApprovalPolicy {
  /** With GitHub: an approving review suffices (`approved`) or only a merge does (`merged`). */
  require: 'approved' | 'merged';
  /** Operator opt-in from the config file (`rollout.allowUnreviewed`). */
  allowUnreviewed: boolean;
  /** Set when the operator approved on the command line (`--approve`): their name. */
  operator?: string;
  /** The forge the proposal was published on, which reads its review. */
  forge?: Pick<Forge, 'reviewState'>;
}

export interface Admitted {
  proposal: Proposal;
  verification: Verification;
  approval: RolloutApproval;
}

/**
 * The admission decision. `waiting` means it may change by itself (a review not given yet, a
 * forge that cannot be read now): ask again later. `refused` will not change without someone
 * acting (no verified patch, a closed pull request, a review that does not exist).
 */
export type Admission =
  | ({ decision: 'admitted' } & Admitted)
  | { decision: 'waiting' | 'refused'; code: RolloutErrorCode; reason: string; review?: ReviewStatus };

type RolloutErrorCode =
  | 'MEDIC_ERR_ROLLOUT_NO_PROPOSAL'
  | 'MEDIC_ERR_ROLLOUT_NOT_VERIFIED'
  | 'MEDIC_ERR_ROLLOUT_NOT_APPROVED'
  | 'MEDIC_ERR_ROLLOUT_REVIEW_UNAVAILABLE';

export interface AdmissionInput {
  incident: Incident;
  verifications: readonly Verification[];
  proposal?: Proposal;
}

/** Admits the rollout or throws the RolloutError that says why not (the CLI's form). */
export async function admitRollout(input: AdmissionInput, policy: ApprovalPolicy): Promise<Admitted> {
  const admission = await checkAdmission(input, policy);
  if (admission.decision === 'admitted') {
    const { decision: _, ...admitted } = admission;
    return admitted;
  }
  throw new RolloutError(admission.code, admission.reason);
}

export async function checkAdmission(input: AdmissionInput, policy: ApprovalPolicy): Promise<Admission> {
  const { incident, proposal } = input;
  const refuse = (code: RolloutErrorCode, reason: string): Admission => ({
    decision: 'refused',
    code,
    reason,
  });
  if (input.verifications.length === 0 && proposal === undefined) {
    return refuse(
      'MEDIC_ERR_ROLLOUT_NO_PROPOSAL',
      `incident ${incident.id} has not been run through the pipeline yet`,
    );
  }
  const verification = input.verifications.find((v) => v.verdict === 'verified');
  if (verification === undefined) {
    const verdicts = input.verifications.map((v) => `candidate ${v.patchRank}: ${v.verdict} (${v.reason})`);
    return refuse(
      'MEDIC_ERR_ROLLOUT_NOT_VERIFIED',
      `incident ${incident.id} has no verified patch${verdicts.length ? `: ${verdicts.join('; ')}` : ' (no verification was run)'}`,
    );
  }
  if (proposal === undefined) {
    return refuse(
      'MEDIC_ERR_ROLLOUT_NO_PROPOSAL',
      `incident ${incident.id} has a verified patch but no proposal`,
    );
  }
  const at = new Date().toISOString();
  const url = proposal.url === undefined ? {} : { url: proposal.url };
  const admit = (approval: Omit<RolloutApproval, 'at' | 'url'>): Admission => ({
    decision: 'admitted',
    proposal,
    verification,
    approval: { ...approval, at, ...url },
  });
  const operator = policy.operator ?? (policy.allowUnreviewed ? 'config:rollout.allowUnreviewed' : undefined);
  let review: ReviewStatus;
  try {
    review =
      policy.forge === undefined
        ? { state: 'unreviewed', detail: `no forge to read the review of ${proposal.branch} from` }
        : await policy.forge.reviewState(proposal);
  } catch (error) {
    if (!isMedicError(error)) throw error;
    // The operator's own approval does not depend on reaching the forge.
    if (operator !== undefined) return admit({ kind: 'operator', by: operator });
    const reason = `cannot read the review of ${proposal.branch}: ${error.code}: ${error.message}`;
    return {
      decision: error.retryable ? 'waiting' : 'refused',
      code: 'MEDIC_ERR_ROLLOUT_REVIEW_UNAVAILABLE',
      reason,
    };
  }
  if (review.state === 'merged') return admit({ kind: 'merge', by: review.by ?? proposal.provider });
  if (review.state === 'approved' && policy.require === 'approved') {
    return admit({ kind: 'review', by: review.by ?? proposal.provider });
  }
  if (review.state === 'changes-requested') {
    // A reviewer said no: an operator's opt-in does not overrule a review that was given. They may still approve.
    return {
      decision: 'waiting',
      code: 'MEDIC_ERR_ROLLOUT_NOT_APPROVED',
      reason: `${review.detail}: not rolling out ${proposal.branch}`,
      review,
    };
  }
  if (operator !== undefined) return admit({ kind: 'operator', by: operator });
  const why =
    review.state === 'approved' ? `${review.detail}, but rollout.approval requires a merge` : review.detail;
  // Nobody will ever review a local proposal, and a closed pull request stays closed.
  const final = review.state === 'unreviewed' || review.state === 'closed';
  return {
    decision: final ? 'refused' : 'waiting',
    code: 'MEDIC_ERR_ROLLOUT_NOT_APPROVED',
    reason: `${why}: not rolling out ${proposal.branch} unreviewed`,
    review,
  };
}
