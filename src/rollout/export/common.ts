/** What both Kubernetes exports share: their options, the workload's name, the annotations, YAML output and validation errors. */
import { stringify } from 'yaml';
import { RolloutError } from '../../core/errors.js';
import type { Incident } from '../../core/model.js';
import type { MetricNames } from '../gates/queries.js';
import type { RolloutSettings } from '../plan.js';

export interface ExportOptions {
  incident: Incident;
  settings: RolloutSettings;
  /** The failure signature the signature gate watches (absent: no signature gate). */
  signature?: string;
  /** Prometheus as the cluster's analysis reaches it. */
  prometheusUrl: string;
  namespace?: string;
  /** The Deployment rolled out. Default: the incident's service name. */
  workload?: string;
  /** The service port (Flagger creates the Services). Default 8080. */
  servicePort?: number;
  /** The service's metrics as the cluster's Prometheus has them. */
  metrics: MetricNames;
  /** The fix being rolled out, noted in annotations. */
  patch?: { commit: string; branch: string };
}

/** Kubernetes' default metric names for an HTTP service (client_golang conventions) and Medic's signature counter. */
export const CLUSTER_METRICS: MetricNames = {
  requests: 'http_requests_total',
  duration: 'http_request_duration_seconds',
  signature: 'medic_failure_signature_total',
};

/** A DNS-1123 name from the service's name. */
export function workloadName(options: ExportOptions): string {
  const raw = options.workload ?? options.incident.service.name;
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return name === '' ? 'service' : name;
}

export function annotations(options: ExportOptions): Record<string, string> {
  return {
    'medic.dev/incident': options.incident.id,
    ...(options.signature ? { 'medic.dev/signature': options.signature } : {}),
    ...(options.patch
      ? { 'medic.dev/commit': options.patch.commit, 'medic.dev/branch': options.patch.branch }
      : {}),
  };
}

export function metadata(
  options: ExportOptions,
  name: string,
): { name: string; namespace?: string; annotations: Record<string, string> } {
  return {
    name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    annotations: annotations(options),
  };
}

/** Documents as one YAML stream, with a header comment saying where they came from. */
export function toYaml(header: string[], documents: readonly unknown[]): string {
  const comment = header.map((line) => `# ${line}`).join('\n');
  return `${comment}\n${documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`;
}

export function invalid(kind: string, error: unknown): RolloutError {
  return new RolloutError(
    'MEDIC_ERR_ROLLOUT_EXPORT_INVALID',
    `the generated ${kind} does not match its schema: ${(error as Error).message}`,
    {
      cause: error,
    },
  );
}
