/**
 * The SLO gates: the canary's error rate and p99 latency over the window, each beside stable's,
 * read from Prometheus with PromQL. No reading is made while the canary has served nothing.
 */
import type { GateReading } from '../../core/model.js';
import { formatDuration, type RolloutSettings } from '../plan.js';
import type { Prometheus } from './prometheus.js';
import {
  errorRateQuery,
  LOCAL_METRICS,
  labels,
  type MetricNames,
  p99Query,
  requestsQuery,
} from './queries.js';

export interface SloReadings {
  readings: GateReading[];
  /** Requests the canary answered over the window. */
  samples: number;
  /** Set when the canary served nothing: whether Prometheus has any series of this rollout at all. */
  scraped?: boolean;
}

export class SloGates {
  constructor(
    private readonly prometheus: Prometheus,
    private readonly settings: Pick<RolloutSettings, 'maxErrorRate' | 'maxP99Ms' | 'windowSeconds'>,
    private readonly rolloutId: string,
    private readonly metrics: MetricNames = LOCAL_METRICS,
  ) {}

  async read(at: Date): Promise<SloReadings> {
    const window = formatDuration(this.settings.windowSeconds);
    const select = (version: string) => labels({ rollout: this.rolloutId, version });
    const canary = select('canary');
    const stable = select('stable');
    const errorQuery = errorRateQuery(this.metrics, canary, window);
    const p99 = p99Query(this.metrics, canary, window);
    const [samples, errors, stableErrors, latency, stableLatency] = await Promise.all([
      this.prometheus.scalar(requestsQuery(this.metrics, canary, window)),
      this.prometheus.scalar(errorQuery),
      this.prometheus.scalar(errorRateQuery(this.metrics, stable, window)),
      this.prometheus.scalar(p99),
      this.prometheus.scalar(p99Query(this.metrics, stable, window)),
    ]);
    const served = samples ?? 0;
    const readings: GateReading[] = [];
    if (served <= 0) {
      const always = this.metrics.deployment;
      if (always === undefined) return { readings, samples: 0 };
      // Nothing served, or nothing scraped? That series exists from the deployment's first scrape.
      const series = await this.prometheus.scalar(`count(${always}{${labels({ rollout: this.rolloutId })}})`);
      return { readings, samples: 0, scraped: (series ?? 0) > 0 };
    }
    const when = at.toISOString();
    if (errors !== undefined) {
      readings.push({
        gate: 'error-rate',
        at: when,
        value: errors,
        ...(stableErrors === undefined ? {} : { baseline: stableErrors }),
        threshold: this.settings.maxErrorRate,
        ok: errors <= this.settings.maxErrorRate,
        query: errorQuery,
        samples: served,
      });
    }
    if (latency !== undefined) {
      const ms = latency * 1000;
      readings.push({
        gate: 'latency-p99',
        at: when,
        value: ms,
        ...(stableLatency === undefined ? {} : { baseline: stableLatency * 1000 }),
        threshold: this.settings.maxP99Ms,
        ok: ms <= this.settings.maxP99Ms,
        query: p99,
        samples: served,
      });
    }
    return { readings, samples: served };
  }
}
