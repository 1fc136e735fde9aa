/** Making a new Rollout record from the admitted patch and the settings, and checking that a stored one may be resumed. */

import { RolloutError } from '../core/errors.js';
import { type Rollout, SCHEMA_VERSION } from '../core/model.js';
import { gatesOf } from './config.js';
import type { RolloutSettings } from './plan.js';
import type { Admitted } from './preconditions.js';

export interface NewRolloutInput {
  incidentId: string;
  admitted: Admitted;
  /** The commit stable runs (the fix's parent). */
  baseCommit: string;
  settings: RolloutSettings;
  signature?: string;
  driver: string;
  now?: Date;
}

export function newRollout(input: NewRolloutInput): Rollout {
  const started = input.now ?? new Date();
  const { settings, admitted } = input;
  return {
    schemaVersion: SCHEMA_VERSION,
    incidentId: input.incidentId,
    id: `${input.incidentId}-${started.getTime().toString(36)}`.slice(0, 120),
    plan: settings.plan,
    gates: gatesOf(settings),
    ...(input.signature ? { signature: input.signature } : {}),
    patch: {
      commit: admitted.proposal.commit,
      baseCommit: input.baseCommit,
      branch: admitted.proposal.branch,
    },
    approval: admitted.approval,
    driver: input.driver,
    startedAt: started.toISOString(),
    steps: [],
    decisions: [],
    outcome: 'in-progress',
  };
}

/** A stored rollout resumes only for the commit it was started for (a re-run of replay makes another). */
export function checkResumable(stored: Rollout, commit: string): void {
  if (stored.patch !== undefined && stored.patch.commit !== commit) {
    throw new RolloutError(
      'MEDIC_ERR_ROLLOUT_RECORD_MISMATCH',
      `the stored rollout ${stored.id ?? ''} is for ${stored.patch.commit.slice(0, 12)}, the proposal is ${commit.slice(0, 12)}`,
    );
  }
  if (stored.id === undefined) {
    throw new RolloutError(
      'MEDIC_ERR_ROLLOUT_RECORD_MISMATCH',
      'the stored rollout has no id (written by an older Medic)',
    );
  }
}
