// Both queue adapters with real Redis (BullMQ) or in process: dedup of jobs, retries with backoff,
// no retry for bad input, and the shutdown hand-back of a running job. The processors here are
// plain functions passed in; the stage processor itself is exercised in queues.test.ts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../src/service/config.js';
import { BullStageQueue, redisConnection, startBullWorkers } from '../../src/service/queue/bullmq.js';
import { InlineQueue } from '../../src/service/queue/inline.js';
import {
  Deferred,
  HandedBack,
  type StageProcessor,
  type StageQueue,
  type StageWorkers,
  Unretryable,
} from '../../src/service/queue/port.js';
import { dropQueues } from './processes.js';

const REDIS_URL = process.env.MEDIC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `medic-adapters-${randomBytes(4).toString('hex')}`;
const queueConfig = parseServiceConfig({
  queue: { prefix, backoffMs: 50, attempts: 3, lockDurationMs: 2_000, stalledIntervalMs: 1_000 },
}).queue;
const redis = redisConnection(REDIS_URL);

interface Adapter {
  queue: StageQueue;
  start(processor: StageProcessor): StageWorkers;
}

const adapters: [string, () => Adapter][] = [
  [
    'bullmq',
    () => {
      const queue = new BullStageQueue(redis, queueConfig);
      return {
        queue,
        start: (processor) => startBullWorkers(redis, queueConfig, processor, { name: 'test' }),
      };
    },
  ],
  [
    'inline',
    () => {
      const queue = new InlineQueue(queueConfig);
      return { queue, start: (processor) => queue.start(processor) };
    },
  ],
];

/** A processor that records calls and resolves `done` when an incident's job has run to the end. */
function recorder(behaviour: (id: string, attempt: number, signal: AbortSignal) => Promise<void>) {
  const calls: { id: string; attempt: number; final: boolean }[] = [];
  const waiting = new Map<string, () => void>();
  const processor: StageProcessor = async (_stage, id, job) => {
    calls.push({ id, attempt: job.attempt, final: job.finalAttempt });
    try {
      await behaviour(id, job.attempt, job.signal);
      waiting.get(id)?.();
    } catch (error) {
      if (error instanceof Unretryable || job.finalAttempt) waiting.get(id)?.();
      throw error;
    }
  };
  const settled = (id: string) => new Promise<void>((resolve) => waiting.set(id, resolve));
  return { calls, processor, settled };
}

beforeAll(async () => {
  await redis.ping();
});

afterAll(async () => {
  await dropQueues(REDIS_URL, prefix);
  redis.disconnect();
});

describe.each(adapters)('%s queue', (name, make) => {
  it('runs a job once however often it is added, and retries transient failures with backoff', async () => {
    const adapter = make();
    const { calls, processor, settled } = recorder(async (id, attempt) => {
      if (id.endsWith('flaky') && attempt < 3) throw new Error('transient');
    });
    const once = settled(`${name}-once`);
    const flaky = settled(`${name}-flaky`);
    const workers = adapter.start(processor);
    await Promise.all([
      adapter.queue.enqueue('ingest', `${name}-once`),
      adapter.queue.enqueue('ingest', `${name}-once`),
    ]);
    await adapter.queue.enqueue('diagnose', `${name}-flaky`);
    await Promise.all([once, flaky]);
    expect(calls.filter((c) => c.id === `${name}-once`)).toHaveLength(1);
    expect(calls.filter((c) => c.id === `${name}-flaky`).map((c) => [c.attempt, c.final])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    await workers.close(1_000);
    await adapter.queue.close();
  });

  it('does not retry bad input', async () => {
    const adapter = make();
    const { calls, processor, settled } = recorder(async () => {
      throw new Unretryable('MEDIC_ERR_INPUT_INVALID_RECORD: bad');
    });
    const done = settled(`${name}-bad`);
    const workers = adapter.start(processor);
    await adapter.queue.enqueue('patch', `${name}-bad`);
    await done;
    await workers.close(1_000);
    expect(calls).toHaveLength(1);
    await adapter.queue.close();
  });

  it('runs a deferred job again later under the same id, without using an attempt', async () => {
    const adapter = make();
    let deferrals = 0;
    let firstDeferral: () => void = () => {};
    const deferred = new Promise<void>((resolve) => {
      firstDeferral = resolve;
    });
    const { calls, processor, settled } = recorder(async () => {
      if (deferrals < 2) {
        deferrals++;
        if (deferrals === 1) setTimeout(firstDeferral, 0);
        throw new Deferred(200);
      }
    });
    const done = settled(`${name}-held`);
    const workers = adapter.start(processor);
    await adapter.queue.enqueue('rollout', `${name}-held`);
    await deferred;
    // Added again while it waits (as the reconciler does): still the one job.
    await adapter.queue.enqueue('rollout', `${name}-held`);
    await done;
    expect(calls.map((c) => [c.attempt, c.final])).toEqual([
      [1, false],
      [1, false],
      [1, false],
    ]);
    await workers.close(1_000);
    await adapter.queue.close();
  });

  it('hands a running job back at shutdown once the grace time is over', async () => {
    const adapter = make();
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { calls, processor } = recorder(
      (_id, _attempt, signal) =>
        new Promise<void>((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => reject(new HandedBack()), { once: true });
        }),
    );
    const workers = adapter.start(processor);
    await adapter.queue.enqueue('verify', `${name}-long`);
    await running;
    await workers.close(100);
    expect(calls).toHaveLength(1);
    if (name === 'bullmq') {
      // Back in the queue, not failed: the next worker takes it as if new.
      const counts = await adapter.queue.counts();
      expect(counts.verify).toMatchObject({ waiting: 1, active: 0, failed: 0 });
      const next = recorder(async () => {});
      const done = next.settled(`${name}-long`);
      const again = adapter.start(next.processor);
      await done;
      expect(next.calls.map((c) => c.attempt)).toEqual([1]);
      await again.close(1_000);
    }
    await adapter.queue.close();
  });
});
