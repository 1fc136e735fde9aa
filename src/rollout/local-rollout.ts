/**
 * A rollout on this machine, start to end: admit the patch (verified, reviewed or approved by the
 * operator), make or resume the Rollout record, hold the lock, run the controller with the local
 * driver, Prometheus gates and the signature gate, and stop the deployment afterwards. `medic
 * rollout` runs it on a run directory, the service's rollout stage with the ledger as the store.
 */
import { join } from 'node:path';
import type { Rollout } from '../core/model.js';
import { type Progress, silent } from '../core/progress.js';
import { DirectoryStore, type RecordStore } from '../core/record-store.js';
import { readModulePath } from '../ingest/index.js';
import { runController } from './controller.js';
import { Prometheus } from './gates/prometheus.js';
import { SignatureGate } from './gates/signature.js';
import { SloGates } from './gates/slo.js';
import { resolveCommit } from './local/build.js';
import { LocalDriver } from './local/driver.js';
import { acquireLock } from './lock.js';
import type { RolloutSettings } from './plan.js';
import { type Admitted, type ApprovalPolicy, admitRollout } from './preconditions.js';
import { checkResumable, newRollout } from './record.js';
import type { RolloutSource } from './source.js';

export interface LocalRolloutOptions {
  source: RolloutSource;
  settings: RolloutSettings;
  policy: ApprovalPolicy;
  /** Already admitted by the caller (who recorded the decision): `policy` is not asked again. */
  admitted?: Admitted;
  /** Where the Rollout record is kept. Default: the run directory (`rollout.json`). */
  store?: RecordStore;
  prometheusUrl: string;
  goBinary: string;
  /** Medic's work directory; built binaries are cached under `cache/rollout`. */
  workDir: string;
  /** `host:port` the proxy serves the service on. */
  listen: string;
  /** `host:port` of `/metrics` and the agent's admin endpoints. */
  adminListen: string;
  /** Discard a stored rollout and start a new one. */
  restart?: boolean;
  /** Leave the deployment running when the rollout ends. */
  keepRunning?: boolean;
  onProgress?: Progress;
  /** Aborting rolls back (outcome `aborted`). */
  signal?: AbortSignal;
  /**
   * Stopping leaves the rollout in progress and the deployment running as it is (a worker shutting
   * down): the returned record is `in-progress`, and a later call resumes it.
   */
  stop?: AbortSignal;
  /** Called once the deployment serves (e.g. to start sending load to `listen`). */
  onServing?: (listen: string) => void;
}

export async function rolloutLocally(options: LocalRolloutOptions): Promise<Rollout> {
  const { source } = options;
  const progress = options.onProgress ?? silent;
  const store = options.store ?? new DirectoryStore(source.runDir);
  const lock = await acquireLock(join(source.runDir, 'rollout', 'controller.lock'));
  try {
    let record = options.restart ? undefined : source.rollout;
    if (record?.outcome !== undefined && record.outcome !== 'in-progress') {
      progress(
        `rollout ${record.id ?? ''} already ended: ${record.outcome} (pass --restart to roll out again)`,
      );
      return record;
    }
    if (record === undefined) {
      if (options.restart && source.rollout?.id !== undefined)
        await driverFor(source.rollout, options).shutdown();
      const admitted = options.admitted ?? (await admitRollout(source, options.policy));
      progress(`approved by ${admitted.approval.by} (${admitted.approval.kind})`);
      record = newRollout({
        incidentId: source.incident.id,
        admitted,
        baseCommit: await resolveCommit(source.repoDir, `${admitted.proposal.commit}^`),
        settings: options.settings,
        ...(source.signature ? { signature: source.signature } : {}),
        driver: 'local',
      });
    } else {
      checkResumable(record, source.proposal?.commit ?? '');
      progress(`resuming rollout ${record.id} at step ${record.steps.length} of ${record.plan.length}`);
    }
    const driver = driverFor(record, options);
    const modulePath = await readModulePath(source.repoDir);
    const signature = record.signature
      ? new SignatureGate({
          signature: record.signature,
          output: () => driver.canaryOutput(),
          ...(modulePath ? { modulePath } : {}),
        })
      : undefined;
    const gates = {
      maxErrorRate: record.gates.maxErrorRate,
      maxP99Ms: record.gates.maxP99Ms,
      windowSeconds: record.gates.windowSeconds,
    };
    const slo = new SloGates(
      new Prometheus({ url: options.prometheusUrl }),
      gates,
      record.id ?? record.incidentId,
    );
    const result = await runController(record, {
      store,
      driver,
      slo,
      ...(signature ? { signature } : {}),
      maxHoldSeconds: options.settings.maxHoldSeconds,
      onProgress: progress,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.stop ? { stop: options.stop } : {}),
    });
    if (result.outcome === 'in-progress') await driver.detach();
    else if (!options.keepRunning) await driver.shutdown();
    return result;
  } finally {
    await lock.release();
  }
}

type DeploymentOptions = Pick<
  LocalRolloutOptions,
  'source' | 'goBinary' | 'workDir' | 'listen' | 'adminListen' | 'onServing'
>;

/**
 * Ends a stored rollout that cannot go on (its job failed for good) in a safe state: the local
 * deployment is stopped (no traffic reaches the canary, nothing is left running) and the record is
 * stored rolled back, with the reason as Medic's decision. A rollout that already ended is returned as is.
 */
export async function abandonLocalRollout(
  options: DeploymentOptions & { store?: RecordStore },
  reason: string,
): Promise<Rollout | undefined> {
  const record = options.source.rollout;
  if (record === undefined || record.outcome !== 'in-progress') return record;
  await driverFor(record, options).shutdown();
  const at = new Date().toISOString();
  const open = record.steps.at(-1);
  if (open && open.endedAt === undefined) open.endedAt = at;
  record.decisions.push({ at, step: open?.index ?? 0, decision: 'rollback', reason, by: 'medic' });
  record.outcome = 'rolled-back';
  record.finishedAt = at;
  const store = options.store ?? new DirectoryStore(options.source.runDir);
  await store.put(record.incidentId, 'rollout', record);
  return record;
}

function driverFor(record: Rollout, options: DeploymentOptions): LocalDriver {
  const { source } = options;
  const id = record.id ?? record.incidentId;
  return new LocalDriver({
    rolloutId: id,
    stateDir: join(source.runDir, 'rollout', id),
    repoDir: source.repoDir,
    stableCommit: record.patch?.baseCommit ?? `${source.proposal?.commit ?? 'HEAD'}^`,
    canaryCommit: record.patch?.commit ?? source.proposal?.commit ?? 'HEAD',
    service: source.incident.service,
    goBinary: options.goBinary,
    buildCacheDir: join(options.workDir, 'cache', 'rollout'),
    listen: options.listen,
    adminListen: options.adminListen,
    ...(options.onServing ? { onServing: options.onServing } : {}),
  });
}
