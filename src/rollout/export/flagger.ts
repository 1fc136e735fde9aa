/**
 * Export for Flagger: a Canary over the existing Deployment with the plan's weights as stepWeights,
 * one analysis interval (Flagger has one bake for every step: the longest of the plan) and a
 * threshold of one failed check, and one MetricTemplate per gate with the Prometheus provider,
 * each checked against Flagger's CRD schemas before it is printed.
 */
import { errorRateQuery, p99Query, signatureQuery } from '../gates/queries.js';
import { formatDuration } from '../plan.js';
import { type ExportOptions, invalid, metadata, workloadName } from './common.js';
import { FlaggerCanary, FlaggerMetricTemplate } from './flagger-schema.js';

/** Flagger's canary pods (`<target>-<hash>-<id>`, not `<target>-primary-...`), in its template variables. */
const CANARY_PODS = 'namespace="{{ namespace }}",pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';

export function flaggerManifests(options: ExportOptions): [FlaggerCanary, ...FlaggerMetricTemplate[]] {
  const name = workloadName(options);
  const { settings, metrics: names } = options;
  const window = '{{ interval }}';
  const gates: { gate: string; query: string; max: number }[] = [
    { gate: 'error-rate', query: errorRateQuery(names, CANARY_PODS, window), max: settings.maxErrorRate },
    { gate: 'latency-p99', query: p99Query(names, CANARY_PODS, window), max: settings.maxP99Ms / 1000 },
  ];
  if (options.signature) {
    gates.unshift({
      gate: 'signature',
      query: signatureQuery(names, CANARY_PODS, options.signature, window),
      max: 0,
    });
  }
  const templates = gates.map(({ gate, query }) =>
    parse('Flagger MetricTemplate', FlaggerMetricTemplate, {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'MetricTemplate',
      metadata: metadata(options, `${name}-medic-${gate}`),
      spec: { provider: { type: 'prometheus', address: options.prometheusUrl }, query },
    }),
  );
  const longestBake = Math.max(...settings.plan.map((s) => s.bakeSeconds), 1);
  const canary = parse('Flagger Canary', FlaggerCanary, {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: metadata(options, name),
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { port: options.servicePort ?? 8080 },
      analysis: {
        interval: formatDuration(Math.max(1, Math.round(longestBake))),
        // One failed check rolls back, as the local controller does.
        threshold: 1,
        stepWeights: settings.plan.map((s) => s.weight),
        metrics: gates.map(({ gate, max }) => ({
          name: gate,
          templateRef: {
            name: `${name}-medic-${gate}`,
            ...(options.namespace ? { namespace: options.namespace } : {}),
          },
          thresholdRange: { max },
          interval: formatDuration(Math.max(1, Math.round(settings.windowSeconds))),
        })),
      },
    },
  });
  return [canary, ...templates];
}

function parse<T>(kind: string, schema: { parse(value: unknown): T }, value: unknown): T {
  try {
    return schema.parse(value);
  } catch (error) {
    throw invalid(kind, error);
  }
}
