/**
 * The rollout stage's public face: admit a verified, reviewed fix; run the staged rollout (controller,
 * Prometheus and signature gates, local driver) with its record stored after every reading and
 * decision; export the same plan and gates for Argo Rollouts or Flagger.
 */

export { RolloutError } from '../core/errors.js';
export { configuredSettings, gatesOf, type PlannedRollout, plannedRollout } from './config.js';
export { type ControllerOptions, runController } from './controller.js';
export type { RolloutDriver } from './driver.js';
export { CLUSTER_METRICS, type ExportOptions, type ExportTarget, exportManifests } from './export/index.js';
export { Prometheus } from './gates/prometheus.js';
export { LOCAL_METRICS, type MetricNames } from './gates/queries.js';
export { SignatureGate } from './gates/signature.js';
export { SloGates } from './gates/slo.js';
export { LoadGenerator, type LoadOptions, type LoadStats } from './load.js';
export { LocalDriver, type LocalDriverOptions } from './local/driver.js';
export { abandonLocalRollout, type LocalRolloutOptions, rolloutLocally } from './local-rollout.js';
export { DEFAULTS, type RolloutSettings, resolveSettings, type SettingsInput } from './plan.js';
export {
  type Admission,
  type Admitted,
  type ApprovalPolicy,
  admitRollout,
  checkAdmission,
} from './preconditions.js';
export { checkResumable, newRollout } from './record.js';
export { loadRolloutSource, type RolloutSource } from './source.js';
