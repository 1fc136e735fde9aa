/**
 * The reconciler: finds incidents whose run has not ended and queues the stage after their last
 * stored record, and proposed incidents whose rollout has not ended and queues their rollout. It
 * is what makes a lost job harmless: a Redis restart without persistence, a crash between storing
 * a record and queueing the next stage, an intake that died mid-way. Jobs already queued (or
 * delayed, as a rollout waiting for approval is) are not added twice (job id = incident id per
 * stage queue).
 */
import type { Logger } from '../../core/log.js';
import { STAGE_RECORD } from '../../pipeline.js';
import type { Ledger } from '../ledger/ledger.js';
import { unfinishedIncidents, unfinishedRollouts } from '../ledger/queries.js';
import type { StageQueue } from './port.js';

export interface ReconcileOptions {
  /** Incidents still `received` (intake fetching artifacts) are left alone this long. */
  intakeGraceMs: number;
  /** Also queue unfinished rollouts (this deployment runs them). */
  rollouts?: boolean;
}

/** Queues the next stage of every unfinished incident; returns how many were queued. */
export async function reconcile(
  ledger: Ledger,
  queue: StageQueue,
  options: ReconcileOptions,
): Promise<number> {
  let queued = 0;
  const now = Date.now();
  for (const row of await unfinishedIncidents(ledger)) {
    if (row.status === 'received' && now - row.createdAt.getTime() < options.intakeGraceMs) continue;
    const kinds = await ledger.kinds(row.id);
    const stages = Object.entries(STAGE_RECORD) as [keyof typeof STAGE_RECORD, string][];
    // The first stage whose record is missing; all stored means only the ending is missing.
    const next = stages.find(([, kind]) => !kinds.has(kind))?.[0] ?? 'propose';
    await queue.enqueue(next, row.id);
    queued++;
  }
  if (options.rollouts) {
    for (const row of await unfinishedRollouts(ledger)) {
      await queue.enqueue('rollout', row.id);
      queued++;
    }
  }
  return queued;
}

/** Runs `reconcile` now and every `intervalMs`; returns a stop function. */
export function startReconciler(
  ledger: Ledger,
  queue: StageQueue,
  options: ReconcileOptions & { intervalMs: number; log: Logger },
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const n = await reconcile(ledger, queue, options);
      if (n > 0) options.log.debug({ queued: n }, 'reconciler queued unfinished incidents');
    } catch (error) {
      // The ledger or Redis is down: the next tick tries again.
      options.log.warn({ err: error }, 'reconcile failed');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
