/**
 * The BullMQ adapter: one queue per stage on Redis, job id = incident id (a job already in a
 * queue is not added twice), retries with exponential backoff, UnrecoverableError for bad input,
 * stalled jobs (a worker killed mid-stage) handed to another worker once their lock expires, and
 * deferred jobs (a rollout waiting for approval) moved to the delayed set under the same id.
 */
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ServiceError } from '../../core/errors.js';
import { type QueueStage, type ServiceConfig, STAGES } from '../config.js';
import {
  Deferred,
  HandedBack,
  type JobCounts,
  type StageProcessor,
  type StageQueue,
  type StageWorkers,
  Unretryable,
} from './port.js';

interface JobData {
  incidentId: string;
}

export function redisConnection(url: string): Redis {
  // BullMQ needs maxRetriesPerRequest null: commands wait for a reconnect instead of failing.
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableOfflineQueue: true });
  redis.on('error', () => undefined);
  return redis;
}

export class BullStageQueue implements StageQueue {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<QueueStage, Queue<JobData>>();

  constructor(
    private readonly redis: Redis,
    private readonly config: ServiceConfig['queue'],
  ) {
    for (const stage of STAGES) {
      const queue = new Queue<JobData>(stage, { connection: redis, prefix: config.prefix });
      queue.on('error', () => undefined);
      this.queues.set(stage, queue);
    }
  }

  async enqueue(stage: QueueStage, incidentId: string): Promise<void> {
    try {
      await this.queue(stage).add(
        stage,
        { incidentId },
        {
          jobId: incidentId,
          attempts: this.config.attempts,
          backoff: { type: 'exponential', delay: this.config.backoffMs },
          // Kept a day so a duplicate add of a finished stage is ignored; the ledger is the record.
          removeOnComplete: { age: 86_400, count: 10_000 },
          removeOnFail: { age: 7 * 86_400 },
        },
      );
    } catch (error) {
      throw new ServiceError(
        'MEDIC_ERR_SERVICE_QUEUE',
        `cannot add the ${stage} job of ${incidentId}: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async counts(): Promise<JobCounts> {
    const counts = {} as JobCounts;
    for (const stage of STAGES) {
      const c = await this.queue(stage).getJobCounts('waiting', 'active', 'delayed', 'failed');
      counts[stage] = {
        waiting: c.waiting ?? 0,
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
      };
    }
    return counts;
  }

  async ping(): Promise<void> {
    try {
      await withTimeout(this.redis.ping(), 2_000);
    } catch (error) {
      throw new ServiceError('MEDIC_ERR_SERVICE_QUEUE', `Redis does not answer: ${String(error)}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  private queue(stage: QueueStage): Queue<JobData> {
    const queue = this.queues.get(stage);
    if (queue === undefined) throw new Error(`no queue for stage ${stage}`);
    return queue;
  }
}

/** One BullMQ worker per stage, running `processor`. */
export function startBullWorkers(
  redis: Redis,
  config: ServiceConfig['queue'],
  processor: StageProcessor,
  options: { name: string; onError?: (error: unknown) => void },
): StageWorkers {
  const workers = STAGES.map(
    (stage) =>
      new Worker<JobData>(
        stage,
        async (job, token, signal) => {
          const attempt = job.attemptsMade + 1;
          const finalAttempt = attempt >= (job.opts.attempts ?? 1);
          const aborted = signal ?? new AbortController().signal;
          try {
            await processor(stage, job.data.incidentId, { attempt, finalAttempt, signal: aborted });
          } catch (error) {
            if (error instanceof HandedBack) {
              // Back to `wait` for another worker; WaitingError tells BullMQ it is not a failure.
              await job.moveToWait(token);
              throw new WaitingError();
            }
            if (error instanceof Deferred) {
              // The same job, later: DelayedError tells BullMQ it moved itself (no attempt used).
              await job.moveToDelayed(Date.now() + error.delayMs, token);
              throw new DelayedError();
            }
            if (error instanceof Unretryable) throw new UnrecoverableError(error.message);
            throw error;
          }
        },
        {
          connection: redis,
          prefix: config.prefix,
          name: options.name,
          concurrency: config.concurrency[stage],
          lockDuration: config.lockDurationMs,
          stalledInterval: config.stalledIntervalMs,
          maxStalledCount: 2,
        },
      ),
  );
  for (const worker of workers) worker.on('error', (error) => options.onError?.(error));
  return {
    async close(graceMs: number) {
      const timer = setTimeout(() => {
        for (const worker of workers) worker.cancelAllJobs('shutdown');
      }, graceMs);
      try {
        await Promise.all(workers.map((w) => w.close()));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
