/**
 * The stage processor both queue adapters run: one stage of one incident through the pipeline's
 * own step code (`runStage`), with the ledger as the record store. It records the attempt, the
 * decisions in the audit trail, ends the run or queues the next stage, and classifies failures:
 * bad input is not retried, transient errors are (BullMQ's backoff), the last failure ends the run.
 * The rollout stage runs after the run ended (proposed): held rollouts are deferred, not retried.
 */
import type { MedicConfig } from '../../core/config.js';
import { isBadInput, isMedicError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { type QueuedStageName, type RunState, runStage } from '../../pipeline.js';
import type { QueueStage, ServiceConfig } from '../config.js';
import { forgeFor } from '../forge.js';
import type { Ledger } from '../ledger/ledger.js';
import { incidentRow } from '../ledger/queries.js';
import type { Metrics } from '../metrics.js';
import type { RolloutRunner } from '../rollout.js';
import { materialise, runDirOf } from '../workspace.js';
import { recordDecisions } from './decisions.js';
import { Deferred, HandedBack, type StageProcessor, type StageQueue, Unretryable } from './port.js';

export interface ProcessorDeps {
  ledger: Ledger;
  queue: StageQueue;
  config: ServiceConfig;
  medic: MedicConfig;
  metrics: Metrics;
  log: Logger;
  /** Names this worker in the ledger (host:pid by default). */
  workerName: string;
  /** Runs the rollout stage; absent: rollout jobs are recorded as skipped. */
  rollout?: RolloutRunner;
}

const NEXT: Record<QueuedStageName, QueueStage | undefined> = {
  ingest: 'diagnose',
  diagnose: 'patch',
  patch: 'verify',
  verify: 'propose',
  propose: undefined,
};

export function stageProcessor(deps: ProcessorDeps): StageProcessor {
  return async (stage, incidentId, job) => {
    const row = await incidentRow(deps.ledger, incidentId);
    // A stale or duplicated job of an incident whose run has ended: nothing to do.
    if (row.finishedAt !== null && stage !== 'rollout') return;
    const { runId } = await deps.ledger.startStage(incidentId, stage, deps.workerName);
    deps.log.info({ incidentId, stage, attempt: job.attempt }, `stage ${stage} started`);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      if (stage === 'rollout') {
        const recheckInMs = await rollout(incidentId, job.signal, deps);
        const outcome = recheckInMs === undefined ? 'done' : 'held';
        await deps.ledger.endStage(runId, outcome);
        deps.metrics.stageDuration.observe({ stage, outcome }, seconds());
        deps.log.info({ incidentId, stage }, `stage rollout ${outcome}`);
        if (recheckInMs !== undefined) throw new Deferred(recheckInMs);
        return;
      }
      const state = await abortable(job.signal, () => execute(stage, incidentId, deps));
      const ended = await afterStage(stage, incidentId, state, deps);
      await deps.ledger.endStage(runId, ended === 'no-fix' ? 'no-fix' : 'done');
      deps.metrics.stageDuration.observe({ stage, outcome: 'done' }, seconds());
      deps.log.info({ incidentId, stage }, `stage ${stage} done`);
    } catch (error) {
      if (error instanceof Deferred) throw error;
      await recordFailure(stage, incidentId, runId, error, job, deps, seconds()).catch(
        (bookkeeping: unknown) =>
          // The ledger itself failed: the job's own error still decides what happens; the reconciler repairs state.
          deps.log.error(
            { incidentId, stage, err: bookkeeping },
            'could not record the failure in the ledger',
          ),
      );
      if (error instanceof HandedBack) throw error;
      if (isMedicError(error) && (!error.retryable || isBadInput(error))) {
        throw new Unretryable(`${error.code}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  };
}

/** Stores a failed (or handed-back) attempt, and ends the run when it will not be retried. */
async function recordFailure(
  stage: QueueStage,
  incidentId: string,
  runId: number,
  error: unknown,
  job: { attempt: number; finalAttempt: boolean },
  deps: ProcessorDeps,
  seconds: number,
): Promise<void> {
  if (error instanceof HandedBack) {
    await deps.ledger.endStage(runId, 'handed-back');
    deps.metrics.stageDuration.observe({ stage, outcome: 'handed-back' }, seconds);
    await deps.ledger.audit(
      incidentId,
      deps.workerName,
      'stage.handed-back',
      `${stage} was handed back to the queue at shutdown`,
    );
    return;
  }
  const code = isMedicError(error) ? error.code : 'unexpected';
  const message = error instanceof Error ? error.message : String(error);
  deps.log.warn({ incidentId, stage, code, attempt: job.attempt }, `stage ${stage} failed: ${message}`);
  await deps.ledger.endStage(runId, 'error', code);
  deps.metrics.stageDuration.observe({ stage, outcome: 'error' }, seconds);
  const retryable = isMedicError(error) ? error.retryable && !isBadInput(error) : true;
  const final = !retryable || job.finalAttempt;
  await deps.ledger.audit(
    incidentId,
    deps.workerName,
    final ? 'stage.failed' : 'stage.retry',
    `${stage} attempt ${job.attempt} failed with ${code}: ${message}${final ? '' : '; it will be retried'}`,
  );
  if (final && stage === 'rollout') {
    // The incident stays proposed; its rollout ends in a safe state and says why.
    await deps.rollout?.fail(incidentId, `${code}: ${message}`);
  } else if (final) {
    await deps.ledger.finish(incidentId, {
      status: 'failed',
      reason: `${stage}: ${message}`,
      stoppedAt: stage,
      errorCode: code,
    });
    deps.metrics.finished.inc({ status: 'failed' });
  }
}

/**
 * The rollout stage, cooperative at shutdown: the controller stops without a decision and the job
 * is handed back, for the next worker to resume from the stored record. Returns when to check
 * again for a rollout held for approval.
 */
async function rollout(
  incidentId: string,
  signal: AbortSignal,
  deps: ProcessorDeps,
): Promise<number | undefined> {
  if (deps.rollout === undefined) {
    await deps.ledger.audit(incidentId, deps.workerName, 'rollout.skipped', 'this worker runs no rollouts');
    return undefined;
  }
  if (signal.aborted) throw new HandedBack();
  const result = await deps.rollout.run(incidentId, signal);
  if (result.status === 'stopped') throw new HandedBack();
  return result.status === 'held' ? result.recheckInMs : undefined;
}

async function execute(stage: QueuedStageName, incidentId: string, deps: ProcessorDeps): Promise<RunState> {
  const runDir = runDirOf(deps.medic.workDir, incidentId);
  const source = await materialise(deps.ledger, deps.medic.workDir, incidentId);
  return runStage(stage, incidentId, {
    outDir: runDir,
    provider: deps.config.provider ?? (deps.medic.llm ? 'llm' : 'rules'),
    config: deps.medic,
    store: deps.ledger,
    forge: forgeFor(deps.config, source.incident, runDir),
    source: async () => source,
    onProgress: (message) => deps.log.debug({ incidentId, stage }, message),
  });
}

/** Stores the stage's decisions, then ends the run or queues the next stage. */
async function afterStage(
  stage: QueuedStageName,
  incidentId: string,
  state: RunState,
  deps: ProcessorDeps,
): Promise<'no-fix' | 'proposed' | 'duplicate' | 'next'> {
  const decided = await recordDecisions(stage, incidentId, state, deps);
  if (decided === 'duplicate') return 'duplicate';
  if (state.outcome !== undefined) {
    const status = state.outcome.status === 'verified' ? 'proposed' : 'no-fix';
    const rollout = status === 'proposed' && deps.config.rollout.enabled;
    // Marked before the run ends: a worker dying in between leaves it to the reconciler, not lost.
    if (rollout) await deps.ledger.setRolloutStatus(incidentId, 'queued');
    await deps.ledger.finish(incidentId, {
      status,
      reason: state.outcome.reason,
      ...(state.outcome.stoppedAt ? { stoppedAt: state.outcome.stoppedAt } : {}),
    });
    deps.metrics.finished.inc({ status });
    if (rollout) await deps.queue.enqueue('rollout', incidentId);
    return status;
  }
  const next = NEXT[stage];
  if (next !== undefined) {
    await deps.ledger.setStatus(incidentId, 'queued');
    await deps.queue.enqueue(next, incidentId);
  }
  return 'next';
}

/** Runs `body` unless shutdown aborts first: then the job is handed back (the stage may still be running). */
async function abortable<T>(signal: AbortSignal, body: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw new HandedBack();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new HandedBack());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([body(), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
