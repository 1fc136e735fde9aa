/** The records that cross stage boundaries, queues, the ledger and the CLI's files (see docs/architecture.md). */
export * from './model/common.js';
export * from './model/diagnosis.js';
export * from './model/evidence.js';
export * from './model/failure.js';
export * from './model/fixture.js';
export * from './model/incident.js';
export * from './model/patch.js';
export * from './model/profile.js';
export * from './model/proposal.js';
export * from './model/rollout.js';
export * from './model/trace.js';
export * from './model/verification.js';
