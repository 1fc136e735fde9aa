/** What a report is rendered from: an incident's records as far as the pipeline got, and its outcome. */
import type { Diagnosis, Evidence, Incident, Patch, Proposal, Rollout, Verification } from '../core/model.js';

export interface RunOutcome {
  status: 'verified' | 'no-fix';
  /** One sentence: why the run ended where it did. */
  reason: string;
  /** Stage that ended the run without a fix, when it did. */
  stoppedAt?: string;
}

/**
 * The rollout a proposal will get once admitted (from the rollout config, through the pipeline's
 * propose step): the plan and gates its Rollout record would start with, and who must approve.
 */
export interface RolloutPlan extends Pick<Rollout, 'plan' | 'gates'> {
  /** With the `github` provider: an approving review suffices, or only a merge. */
  approval: 'approved' | 'merged';
  /** The operator let unreviewed patches roll out (`rollout.allowUnreviewed`). */
  allowUnreviewed: boolean;
  /** The forge the proposal goes to: `local` has no review, so an operator approves. */
  provider?: 'local' | 'github';
}

export interface ReportRecords {
  incident: Incident;
  evidence?: Evidence;
  diagnosis?: Diagnosis;
  patches?: Patch[];
  verifications?: Verification[];
  proposal?: Proposal;
  rollout?: Rollout;
  /** The planned rollout (the pull-request body shows it before any rollout has run). */
  rolloutPlan?: RolloutPlan;
  outcome: RunOutcome;
  /** Time spent in each stage, in milliseconds. */
  timings?: Record<string, number>;
}

/** The candidate the report centres on: the verified one, else the best-ranked. */
export function focusPatch(records: ReportRecords): {
  patch: Patch | undefined;
  verification: Verification | undefined;
} {
  const verified = records.verifications?.find((v) => v.verdict === 'verified');
  const rank = verified?.patchRank ?? records.patches?.[0]?.rank ?? records.verifications?.[0]?.patchRank;
  return {
    patch: records.patches?.find((p) => p.rank === rank),
    verification: records.verifications?.find((v) => v.patchRank === rank),
  };
}
