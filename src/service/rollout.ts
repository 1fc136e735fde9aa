/**
 * The service's rollout stage, queued after a proposal: admits the fix by rollout's own rules
 * (verified; reviewed on its forge as `rollout.approval` says, or let through by the operator),
 * records each admission decision in the audit trail, and runs the rollout on this worker with the
 * local driver and the ledger as the record store. A rollout not admissible yet is held and asked
 * again later; one whose worker died resumes from the stored Rollout record.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { prepareCheckout } from '../core/checkout.js';
import type { MedicConfig } from '../core/config.js';
import { ServiceError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Proposal, Rollout } from '../core/model.js';
import {
  type Admitted,
  abandonLocalRollout,
  checkAdmission,
  configuredSettings,
  type RolloutSource,
  rolloutLocally,
} from '../rollout/index.js';
import type { ServiceConfig } from './config.js';
import { forgeFor } from './forge.js';
import type { Ledger } from './ledger/ledger.js';
import { incidentRow, lastAudit } from './ledger/queries.js';
import { ACTIVE_STATUSES, type RolloutStatus } from './ledger/schema.js';
import { materialise, runDirOf } from './workspace.js';

/** How a rollout job ended: the rollout is over (or was never to be), waits for approval, or was stopped. */
export type RolloutResult =
  | { status: 'ended' }
  | { status: 'held'; recheckInMs: number }
  | { status: 'stopped' };

export interface RolloutRunner {
  /** Admits and runs (or resumes) the incident's rollout; `stop` leaves it in progress for the next worker. */
  run(incidentId: string, stop: AbortSignal): Promise<RolloutResult>;
  /** The rollout job failed for good: ends a running rollout in a safe state and says so. */
  fail(incidentId: string, reason: string): Promise<void>;
}

export interface RolloutDeps {
  ledger: Ledger;
  config: ServiceConfig;
  medic: MedicConfig;
  log: Logger;
  workerName: string;
}

const ACTOR = 'rollout';

export function serviceRollout(deps: RolloutDeps): RolloutRunner {
  const settings = configuredSettings(deps.medic.rollout);
  return {
    run: (incidentId, stop) => run(incidentId, stop, deps, settings),
    fail: (incidentId, reason) => fail(incidentId, reason, deps),
  };
}

async function run(
  incidentId: string,
  stop: AbortSignal,
  deps: RolloutDeps,
  settings: ReturnType<typeof configuredSettings>,
): Promise<RolloutResult> {
  const { ledger, medic } = deps;
  const row = await incidentRow(ledger, incidentId);
  // Queued (by the reconciler) before its run ended: ask again once the proposal is made.
  if ((ACTIVE_STATUSES as readonly string[]).includes(row.status)) {
    return { status: 'held', recheckInMs: deps.config.rollout.recheckMs };
  }
  if (row.status !== 'proposed') {
    await ledger.setRolloutStatus(incidentId, 'refused');
    await ledger.audit(incidentId, ACTOR, 'rollout.skipped', `the incident is ${row.status}, not proposed`);
    return { status: 'ended' };
  }
  const source = await sourceOf(incidentId, deps);
  const stored = source.rollout;
  if (stored !== undefined && stored.outcome !== 'in-progress') {
    // A duplicated or stale job of a rollout that ended: only make sure the status says so.
    await ledger.setRolloutStatus(incidentId, stored.outcome);
    return { status: 'ended' };
  }
  let admitted: Admitted | undefined;
  if (stored === undefined) {
    const decided = await admit(source, deps);
    if (decided.status !== 'admitted') return decided.result;
    admitted = decided.admitted;
  } else {
    await ledger.audit(
      incidentId,
      deps.workerName,
      'rollout.resumed',
      `rollout ${stored.id ?? ''} resumes at step ${stored.steps.length} of ${stored.plan.length} from its stored record`,
    );
  }
  await ensureCheckout(source, deps);
  await ledger.setRolloutStatus(incidentId, 'rolling-out');
  const result = await rolloutLocally({
    source,
    settings,
    policy: { require: medic.rollout.approval, allowUnreviewed: medic.rollout.allowUnreviewed },
    ...(admitted ? { admitted } : {}),
    store: ledger,
    prometheusUrl: medic.rollout.prometheusUrl,
    goBinary: medic.goBinary,
    workDir: medic.workDir,
    listen: medic.rollout.listen,
    adminListen: medic.rollout.adminListen,
    stop,
    onProgress: (message) => deps.log.info({ incidentId, stage: 'rollout' }, message),
  });
  if (result.outcome === 'in-progress') return { status: 'stopped' };
  await ended(incidentId, result, deps);
  return { status: 'ended' };
}

type Decided = { status: 'admitted'; admitted: Admitted } | { status: 'not-admitted'; result: RolloutResult };

/** Asks the forge and records the decision: admitted, held (asked again later), refused or expired. */
async function admit(source: RolloutSource, deps: RolloutDeps): Promise<Decided> {
  const { ledger, medic, config } = deps;
  const id = source.incident.id;
  const forge = forgeFor(config, source.incident, source.runDir, source.proposal?.provider);
  const admission = await checkAdmission(source, {
    require: medic.rollout.approval,
    allowUnreviewed: medic.rollout.allowUnreviewed,
    forge,
  });
  if (admission.decision === 'admitted') {
    const { approval } = admission;
    await ledger.audit(
      id,
      approval.kind === 'operator' ? approval.by : `${admission.proposal.provider}:${approval.by}`,
      'rollout.admitted',
      `${approval.kind === 'operator' ? 'let through by' : approval.kind === 'merge' ? 'merged by' : 'approved by'} ${approval.by}: commit ${admission.proposal.commit.slice(0, 12)} rolls out`,
      { approval },
    );
    return { status: 'admitted', admitted: admission };
  }
  const details = { code: admission.code, ...(admission.review ? { review: admission.review } : {}) };
  if (admission.decision === 'waiting' && !expired(source.proposal, config)) {
    await ledger.setRolloutStatus(id, 'awaiting-approval');
    // Each check is a stage run; the audit trail records a decision when it differs from the last one.
    const last = await lastAudit(ledger, id, 'rollout.');
    if (last?.action !== 'rollout.held' || last.reason !== admission.reason) {
      await ledger.audit(id, ACTOR, 'rollout.held', admission.reason, {
        ...details,
        recheckInMs: config.rollout.recheckMs,
      });
    }
    return { status: 'not-admitted', result: { status: 'held', recheckInMs: config.rollout.recheckMs } };
  }
  const status: RolloutStatus = admission.decision === 'waiting' ? 'expired' : 'refused';
  const reason =
    status === 'expired'
      ? `not admitted ${Math.round(config.rollout.approvalTimeoutMs / 3_600_000)} h after the proposal, no longer waited for: ${admission.reason}`
      : admission.reason;
  await ledger.setRolloutStatus(id, status);
  await ledger.audit(id, ACTOR, `rollout.${status}`, reason, details);
  return { status: 'not-admitted', result: { status: 'ended' } };
}

function expired(proposal: Proposal | undefined, config: ServiceConfig): boolean {
  if (proposal === undefined) return false;
  return Date.now() - Date.parse(proposal.createdAt) > config.rollout.approvalTimeoutMs;
}

async function ended(incidentId: string, rollout: Rollout, deps: RolloutDeps): Promise<void> {
  const outcome = rollout.outcome as Exclude<Rollout['outcome'], 'in-progress'>;
  const last = rollout.decisions.at(-1);
  await deps.ledger.setRolloutStatus(incidentId, outcome);
  await deps.ledger.audit(incidentId, last?.by ?? 'medic', `rollout.${outcome}`, last?.reason ?? outcome, {
    rolloutId: rollout.id,
    steps: rollout.steps.length,
  });
}

async function fail(incidentId: string, reason: string, deps: RolloutDeps): Promise<void> {
  const source = await sourceOf(incidentId, deps);
  const abandoned = await abandonLocalRollout(
    {
      source,
      store: deps.ledger,
      goBinary: deps.medic.goBinary,
      workDir: deps.medic.workDir,
      listen: deps.medic.rollout.listen,
      adminListen: deps.medic.rollout.adminListen,
    },
    `the rollout job failed for good (${reason}): the deployment was stopped`,
  );
  await deps.ledger.setRolloutStatus(incidentId, 'failed');
  await deps.ledger.audit(incidentId, deps.workerName, 'rollout.failed', reason, {
    ...(abandoned ? { outcome: abandoned.outcome } : {}),
  });
}

/** The rollout's inputs from the ledger; the run directory is this worker's. */
async function sourceOf(incidentId: string, deps: RolloutDeps): Promise<RolloutSource> {
  const { ledger } = deps;
  const [incident, evidence, verifications, proposal, rollout] = await Promise.all([
    ledger.get(incidentId, 'incident'),
    ledger.get(incidentId, 'evidence'),
    ledger.get(incidentId, 'verifications'),
    ledger.get(incidentId, 'proposal'),
    ledger.get(incidentId, 'rollout'),
  ]);
  if (incident === undefined) {
    throw new ServiceError('MEDIC_ERR_SERVICE_INCIDENT_STATE', `incident ${incidentId} has no stored record`);
  }
  const runDir = runDirOf(deps.medic.workDir, incidentId);
  return {
    runDir,
    incident,
    ...(evidence ? { evidence, signature: evidence.signature } : {}),
    verifications: verifications ?? [],
    ...(proposal ? { proposal } : {}),
    ...(rollout ? { rollout } : {}),
    repoDir: join(runDir, 'repo'),
  };
}

/** The checkout holding the fix's commit and its parent: this worker's, made and fetched when missing. */
async function ensureCheckout(source: RolloutSource, deps: RolloutDeps): Promise<void> {
  const { proposal, incident } = source;
  if (proposal === undefined) return;
  if (!existsSync(join(source.repoDir, '.git'))) {
    const dir = await materialise(deps.ledger, deps.medic.workDir, incident.id);
    await prepareCheckout(dir.repoDir, source.repoDir, incident.service.repo.revision);
  }
  await forgeFor(deps.config, incident, source.runDir, proposal.provider).retrieve(proposal, source.repoDir);
}
