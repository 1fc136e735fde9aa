/**
 * The gates' PromQL, written once for the local driver's metrics and for the Kubernetes exports:
 * the canary's share of 5xx answers, its p99 latency from a histogram, its request count, and how
 * often the incident's signature was seen — each over one window, aggregated to a single value.
 */

/** Metric names the queries read; the local driver's proxy exports the defaults. */
export interface MetricNames {
  /** Counter of answered requests with a `code` label (HTTP status). */
  requests: string;
  /** Histogram of request durations in seconds (the `_bucket` series are read). */
  duration: string;
  /** Counter of failures seen, with a `signature` label. */
  signature: string;
  /** A series the deployment always exports (tells "no traffic" from "not scraped"); optional. */
  deployment?: string;
}

export const LOCAL_METRICS: MetricNames = {
  requests: 'medic_rollout_requests_total',
  duration: 'medic_rollout_request_duration_seconds',
  signature: 'medic_rollout_failure_signature_total',
  deployment: 'medic_rollout_canary_weight',
};

/** A PromQL string literal: label values are data, quoted with `"` and `\` escaped. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `name="value"` pairs joined for a selector; values quoted. */
export function labels(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}=${promString(v)}`)
    .join(',');
}

/** Share of 5xx answers; 0 when there were answers and none failed, no value without traffic. */
export function errorRateQuery(m: MetricNames, selector: string, window: string): string {
  return (
    `(sum(rate(${m.requests}{${selector},code=~"5.."}[${window}])) or vector(0))` +
    ` / sum(rate(${m.requests}{${selector}}[${window}]))`
  );
}

/** p99 latency in seconds from the histogram's buckets. */
export function p99Query(m: MetricNames, selector: string, window: string): string {
  return `histogram_quantile(0.99, sum by (le) (rate(${m.duration}_bucket{${selector}}[${window}])))`;
}

/** Requests answered over the window (how much the other two values rest on). */
export function requestsQuery(m: MetricNames, selector: string, window: string): string {
  return `sum(increase(${m.requests}{${selector}}[${window}]))`;
}

/** Times the signature was seen over the window; 0 when never. */
export function signatureQuery(m: MetricNames, selector: string, signature: string, window: string): string {
  return `sum(increase(${m.signature}{${selector},signature=${promString(signature)}}[${window}])) or vector(0)`;
}
