/**
 * The queue port: one queue per stage, jobs carrying an incident id. Two adapters: BullMQ on Redis
 * (many workers on many machines) and an in-process queue (the embedded default of `medic serve`).
 */
import type { QueueStage } from '../config.js';

export type JobCounts = Record<QueueStage, Record<'waiting' | 'active' | 'delayed' | 'failed', number>>;

export interface StageQueue {
  readonly kind: 'bullmq' | 'inline';
  /** Adds the stage's job for the incident; a job already pending for it is not added twice. */
  enqueue(stage: QueueStage, incidentId: string): Promise<void>;
  counts(): Promise<JobCounts>;
  /** Throws MEDIC_ERR_SERVICE_QUEUE when the queue's store does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a worker does with one job; shared by both adapters (queue/process.ts). */
export type StageProcessor = (
  stage: QueueStage,
  incidentId: string,
  job: { attempt: number; finalAttempt: boolean; signal: AbortSignal },
) => Promise<void>;

export interface StageWorkers {
  /** Stops taking jobs, waits up to `graceMs` for running ones, then hands them back to the queue. */
  close(graceMs: number): Promise<void>;
}

/** Thrown by a processor when shutdown took its job back: not a failure, not an attempt used. */
export class HandedBack extends Error {
  constructor() {
    super('the job was handed back to the queue at shutdown');
    this.name = 'HandedBack';
  }
}

/** Thrown by a processor for bad input: retrying cannot help. */
export class Unretryable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Unretryable';
  }
}

/**
 * Thrown by a processor whose job must run again later, not as a retry (a rollout waiting for
 * its pull request's approval): the job is delayed by `delayMs` under the same id, no attempt used.
 */
export class Deferred extends Error {
  constructor(readonly delayMs: number) {
    super(`the job runs again in ${Math.round(delayMs / 1000)} s`);
    this.name = 'Deferred';
  }
}
