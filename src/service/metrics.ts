/** The service's Prometheus metrics (prom-client): intake counts, stage durations, queue depth, verdicts. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { STAGES } from './config.js';

export type QueueDepth = () => Promise<Record<string, Record<string, number>>>;

export class Metrics {
  readonly registry = new Registry();
  readonly intake = new Counter({
    name: 'medic_intake_requests_total',
    help: 'Intake requests by source and outcome (created, duplicate, resolved, ignored, unauthorized, invalid, rate_limited, unmapped)',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly stageDuration = new Histogram({
    name: 'medic_stage_duration_seconds',
    help: 'Time a stage attempt took, by stage and outcome (done, no-fix, error, handed-back)',
    labelNames: ['stage', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  readonly verdicts = new Counter({
    name: 'medic_verdicts_total',
    help: 'Verification verdicts of candidate patches',
    labelNames: ['verdict'] as const,
    registers: [this.registry],
  });
  readonly finished = new Counter({
    name: 'medic_incidents_finished_total',
    help: 'Incidents whose run ended, by status (proposed, no-fix, failed, duplicate)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  constructor(depth?: QueueDepth) {
    collectDefaultMetrics({ register: this.registry, prefix: 'medic_' });
    if (depth !== undefined) {
      new Gauge({
        name: 'medic_queue_depth',
        help: 'Jobs per stage queue and state (waiting, active, delayed, failed)',
        labelNames: ['stage', 'state'] as const,
        registers: [this.registry],
        async collect() {
          // A scrape during a Redis outage still answers; the depth is simply absent.
          const counts = await depth().catch(() => undefined);
          this.reset();
          if (counts === undefined) return;
          for (const stage of STAGES) {
            for (const [state, n] of Object.entries(counts[stage] ?? {})) this.set({ stage, state }, n);
          }
        },
      });
    }
  }
}
