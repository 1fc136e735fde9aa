/**
 * Export for Argo Rollouts: a Rollout (canary steps: setWeight then pause for each bake, over the
 * existing Deployment through workloadRef) and an AnalysisTemplate running the same gates in the
 * background with the Prometheus provider; any failed measurement aborts, which sends traffic back
 * to stable. Both are validated against Argo's CRD schemas before they are printed.
 */
import {
  AnalysisTemplate,
  type IAnalysisTemplate,
} from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { type IRollout, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { errorRateQuery, labels, p99Query, signatureQuery } from '../gates/queries.js';
import { formatDuration } from '../plan.js';
import { type ExportOptions, invalid, metadata, workloadName } from './common.js';

type Metric = IAnalysisTemplate['spec']['metrics'][number];
type Canary = NonNullable<NonNullable<IRollout['spec']['strategy']>['canary']>;
type CanaryStep = NonNullable<Canary['steps']>[number];

/** Pods of the canary ReplicaSet, as Argo labels them (`rollouts-pod-template-hash`, relabelled for Prometheus). */
const CANARY = 'rollouts_pod_template_hash="{{args.canary-hash}}"';

export function argoManifests(options: ExportOptions): [IRollout, IAnalysisTemplate] {
  const name = workloadName(options);
  const templateName = `${name}-medic-gates`;
  const steps: CanaryStep[] = [];
  for (const step of options.settings.plan) {
    steps.push({ setWeight: step.weight });
    if (step.bakeSeconds > 0) steps.push({ pause: { duration: formatDuration(step.bakeSeconds) } });
  }
  const rollout: IRollout = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: metadata(options, name),
    spec: {
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      strategy: {
        canary: {
          analysis: {
            templates: [{ templateName }],
            args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
          },
          steps,
        },
      },
    },
  };
  const template: IAnalysisTemplate = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: metadata(options, templateName),
    spec: { args: [{ name: 'canary-hash' }], metrics: metrics(options) },
  };
  try {
    new Rollout(rollout).validate();
  } catch (error) {
    throw invalid('Argo Rollout', error);
  }
  try {
    new AnalysisTemplate(template).validate();
  } catch (error) {
    throw invalid('Argo AnalysisTemplate', error);
  }
  return [rollout, template];
}

function metrics(options: ExportOptions): Metric[] {
  const { settings, metrics: names } = options;
  const window = formatDuration(settings.windowSeconds);
  const prometheus = (query: string) => ({ prometheus: { address: options.prometheusUrl, query } });
  // An empty answer (no canary traffic yet) is not a failure; NaN (no requests in the window) neither.
  const atMost = (limit: number) => `len(result) == 0 || isNaN(result[0]) || result[0] <= ${limit}`;
  // The pod template hash alone names the canary's pods; the namespace narrows it when given.
  const select = options.namespace ? `${labels({ namespace: options.namespace })},${CANARY}` : CANARY;
  const list: Metric[] = [
    {
      name: 'error-rate',
      interval: formatDuration(settings.intervalSeconds),
      failureLimit: 0,
      successCondition: atMost(settings.maxErrorRate),
      provider: prometheus(errorRateQuery(names, select, window)),
    },
    {
      name: 'latency-p99',
      interval: formatDuration(settings.intervalSeconds),
      failureLimit: 0,
      successCondition: atMost(settings.maxP99Ms / 1000),
      provider: prometheus(p99Query(names, select, window)),
    },
  ];
  if (options.signature) {
    list.unshift({
      name: 'signature',
      interval: formatDuration(Math.min(settings.intervalSeconds, 10)),
      failureLimit: 0,
      successCondition: 'len(result) == 0 || result[0] == 0',
      provider: prometheus(signatureQuery(names, select, options.signature, window)),
    });
  }
  return list;
}
