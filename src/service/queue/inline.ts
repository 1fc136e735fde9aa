/**
 * The in-process queue: stages run in this process with the configured concurrency and retries
 * with backoff. Nothing is kept outside the ledger: after a restart the reconciler re-queues
 * unfinished incidents from their stored records.
 */
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

interface Pending {
  stage: QueueStage;
  incidentId: string;
  attempt: number;
}

export class InlineQueue implements StageQueue, StageWorkers {
  readonly kind = 'inline' as const;
  private readonly waiting = new Map<QueueStage, Pending[]>();
  private readonly active = new Map<QueueStage, number>();
  private readonly keys = new Set<string>();
  private readonly delayed = new Map<NodeJS.Timeout, QueueStage>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private processor: StageProcessor | undefined;
  private closed = false;

  constructor(private readonly config: ServiceConfig['queue']) {
    for (const stage of STAGES) {
      this.waiting.set(stage, []);
      this.active.set(stage, 0);
    }
  }

  /** Starts running jobs with `processor`; jobs enqueued before wait until then. */
  start(processor: StageProcessor): this {
    this.processor = processor;
    for (const stage of STAGES) this.pump(stage);
    return this;
  }

  async enqueue(stage: QueueStage, incidentId: string): Promise<void> {
    const key = `${stage}/${incidentId}`;
    if (this.closed || this.keys.has(key)) return;
    this.keys.add(key);
    this.waiting.get(stage)?.push({ stage, incidentId, attempt: 1 });
    this.pump(stage);
  }

  async counts(): Promise<JobCounts> {
    const counts = {} as JobCounts;
    for (const stage of STAGES) {
      counts[stage] = {
        waiting: this.waiting.get(stage)?.length ?? 0,
        active: this.active.get(stage) ?? 0,
        delayed: [...this.delayed.values()].filter((s) => s === stage).length,
        failed: 0,
      };
    }
    return counts;
  }

  async ping(): Promise<void> {}

  async close(graceMs = 0): Promise<void> {
    this.closed = true;
    for (const timer of this.delayed.keys()) clearTimeout(timer);
    const settled = Promise.allSettled([...this.running]).then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.abort.abort();
        resolve();
      }, graceMs);
    });
    await Promise.race([settled, grace]);
    clearTimeout(timer);
    await settled;
  }

  private pump(stage: QueueStage): void {
    const processor = this.processor;
    if (processor === undefined || this.closed) return;
    const queue = this.waiting.get(stage) ?? [];
    while (queue.length > 0 && (this.active.get(stage) ?? 0) < this.config.concurrency[stage]) {
      const job = queue.shift();
      if (job === undefined) break;
      this.active.set(stage, (this.active.get(stage) ?? 0) + 1);
      const done = this.runJob(processor, job).finally(() => {
        this.active.set(stage, (this.active.get(stage) ?? 1) - 1);
        this.running.delete(done);
        this.pump(stage);
      });
      this.running.add(done);
    }
  }

  private async runJob(processor: StageProcessor, job: Pending): Promise<void> {
    const key = `${job.stage}/${job.incidentId}`;
    const finalAttempt = job.attempt >= this.config.attempts;
    try {
      await processor(job.stage, job.incidentId, {
        attempt: job.attempt,
        finalAttempt,
        signal: this.abort.signal,
      });
      this.keys.delete(key);
    } catch (error) {
      // The same job later, attempt unchanged; the key stays taken so it is not added twice meanwhile.
      if (error instanceof Deferred && !this.closed) return this.later(job, error.delayMs);
      if (error instanceof HandedBack || error instanceof Unretryable || finalAttempt || this.closed) {
        this.keys.delete(key);
        return;
      }
      // Exponential backoff, as BullMQ does it: backoff × 2^(attempt-1).
      this.later({ ...job, attempt: job.attempt + 1 }, this.config.backoffMs * 2 ** (job.attempt - 1));
    }
  }

  private later(job: Pending, delayMs: number): void {
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.waiting.get(job.stage)?.push(job);
      this.pump(job.stage);
    }, delayMs);
    this.delayed.set(timer, job.stage);
  }
}
