/** The local deployment's Prometheus metrics: per-version request counters and latency histograms, weight, restarts. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LOCAL_METRICS } from '../gates/queries.js';

export type Version = 'stable' | 'canary';

/** Buckets in seconds, dense around the default 800 ms p99 threshold so the quantile is not smeared there. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.8, 1, 2.5, 5, 10];

export class DeploymentMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'rollout' | 'version' | 'revision' | 'code'>;
  private readonly duration: Histogram<'rollout' | 'version'>;
  private readonly weight: Gauge<'rollout'>;
  private readonly restarts: Counter<'rollout' | 'version'>;
  private readonly up: Gauge<'rollout' | 'version'>;

  constructor(private readonly rollout: string) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: LOCAL_METRICS.requests,
      help: 'Requests answered through the rollout proxy, by version and HTTP status (502/504: the version could not answer).',
      labelNames: ['rollout', 'version', 'revision', 'code'],
      registers,
    });
    this.duration = new Histogram({
      name: LOCAL_METRICS.duration,
      help: 'Time from request received to response sent through the rollout proxy, by version.',
      labelNames: ['rollout', 'version'],
      buckets: BUCKETS,
      registers,
    });
    this.weight = new Gauge({
      name: LOCAL_METRICS.deployment ?? 'medic_rollout_canary_weight',
      help: 'Share of traffic routed to the canary, in percent.',
      labelNames: ['rollout'],
      registers,
    });
    this.restarts = new Counter({
      name: 'medic_rollout_process_restarts_total',
      help: 'Times a service process died and was restarted, by version.',
      labelNames: ['rollout', 'version'],
      registers,
    });
    this.up = new Gauge({
      name: 'medic_rollout_process_up',
      help: '1 while the version accepts connections.',
      labelNames: ['rollout', 'version'],
      registers,
    });
  }

  observe(version: Version, revision: string, code: number, seconds: number): void {
    this.requests.inc({
      rollout: this.rollout,
      version,
      revision: revision.slice(0, 12),
      code: String(code),
    });
    this.duration.observe({ rollout: this.rollout, version }, seconds);
  }

  setWeight(weight: number): void {
    this.weight.set({ rollout: this.rollout }, weight);
  }

  restarted(version: Version): void {
    this.restarts.inc({ rollout: this.rollout, version });
  }

  setUp(version: Version, up: boolean): void {
    this.up.set({ rollout: this.rollout, version }, up ? 1 : 0);
  }
}
