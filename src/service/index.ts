/** The service: HTTP intake and API, queues and workers, the ledger. Used by `medic serve` and `medic worker`. */

export { ServiceError } from '../core/errors.js';
export {
  loadServiceConfig,
  parseServiceConfig,
  type ServiceConfig,
  type ServiceConfigInput,
} from './config.js';
export { Ledger } from './ledger/ledger.js';
export { openDb } from './ledger/open.js';
export { incidentDetail, listIncidents, reportRecordsOf } from './ledger/queries.js';
export { reconcile } from './queue/reconcile.js';
export type { RolloutResult, RolloutRunner } from './rollout.js';
export { type Running, type RuntimeOptions, startServe, startWorker } from './runtime.js';
