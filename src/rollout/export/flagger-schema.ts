/**
 * Flagger's Canary and MetricTemplate (flagger.app/v1beta1) as zod schemas, following the
 * openAPIV3Schema of Flagger's CRDs (artifacts/flagger/crd.yaml): the same required fields, types,
 * enums and patterns, for the part of the spec Medic writes. Objects are strict so a misspelt
 * field fails here instead of being pruned silently by the API server.
 */
import { z } from 'zod';

/** The CRD's pattern for intervals: `^[0-9]+(m|s)`. */
const Interval = z.string().regex(/^[0-9]+(m|s)/, 'interval must look like 30s or 5m');

const ObjectMeta = z
  .object({
    name: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const CanaryMetric = z
  .object({
    name: z.string(),
    interval: Interval.optional(),
    threshold: z.number().optional(),
    thresholdRange: z.object({ min: z.number().optional(), max: z.number().optional() }).strict().optional(),
    query: z.string().optional(),
    templateRef: z.object({ name: z.string(), namespace: z.string().optional() }).strict().optional(),
    templateVariables: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const Analysis = z
  .object({
    interval: Interval,
    iterations: z.number().optional(),
    threshold: z.number(),
    maxWeight: z.number().optional(),
    stepWeight: z.number().optional(),
    stepWeights: z.array(z.number()).optional(),
    stepWeightPromotion: z.number().optional(),
    metrics: z.array(CanaryMetric).optional(),
  })
  .strict()
  .refine(
    // oneOf: [interval, threshold] with exactly one of iterations, stepWeight, stepWeights.
    (a) => [a.iterations, a.stepWeight, a.stepWeights].filter((v) => v !== undefined).length === 1,
    { message: 'analysis needs exactly one of iterations, stepWeight, stepWeights' },
  );

export const FlaggerCanary = z
  .object({
    apiVersion: z.literal('flagger.app/v1beta1'),
    kind: z.literal('Canary'),
    metadata: ObjectMeta,
    spec: z
      .object({
        provider: z
          .enum([
            'apisix',
            'appmesh',
            'appmesh:v1beta2',
            'contour',
            'gatewayapi:v1',
            'gatewayapi:v1beta1',
            'gloo',
            'istio',
            'knative',
            'kubernetes',
            'kuma',
            'linkerd',
            'nginx',
            'osm',
            'skipper',
            'smi:v1alpha1',
            'smi:v1alpha2',
            'smi:v1alpha3',
            'traefik',
          ])
          .optional(),
        metricsServer: z.string().optional(),
        progressDeadlineSeconds: z.number().optional(),
        targetRef: z
          .object({
            apiVersion: z.string(),
            kind: z.enum(['DaemonSet', 'Deployment', 'Service']),
            name: z.string(),
          })
          .strict(),
        service: z
          .object({
            name: z.string().optional(),
            port: z.number(),
            portName: z.string().optional(),
            targetPort: z.union([z.number().int(), z.string()]).optional(),
          })
          .strict()
          .optional(),
        skipAnalysis: z.boolean().optional(),
        revertOnDeletion: z.boolean().optional(),
        suspend: z.boolean().optional(),
        analysis: Analysis,
      })
      .strict(),
  })
  .strict();
export type FlaggerCanary = z.infer<typeof FlaggerCanary>;

export const FlaggerMetricTemplate = z
  .object({
    apiVersion: z.literal('flagger.app/v1beta1'),
    kind: z.literal('MetricTemplate'),
    metadata: ObjectMeta,
    spec: z
      .object({
        provider: z
          .object({
            type: z.enum([
              'prometheus',
              'influxdb',
              'datadog',
              'externalmetrics',
              'stackdriver',
              'cloudwatch',
              'newrelic',
              'graphite',
              'dynatrace',
              'keptn',
              'splunk',
            ]),
            address: z.string().optional(),
            headers: z.record(z.string(), z.array(z.string())).optional(),
            secretRef: z.object({ name: z.string() }).strict().optional(),
            region: z.string().optional(),
            insecureSkipVerify: z.boolean().optional(),
          })
          .strict(),
        query: z.string(),
      })
      .strict(),
  })
  .strict();
export type FlaggerMetricTemplate = z.infer<typeof FlaggerMetricTemplate>;
