import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isMedicError } from '../../core/errors.js';
import { run } from '../../core/exec.js';
import { resolveSettings } from '../plan.js';
import { loadRolloutSource } from '../source.js';
import {
  CLUSTER_METRICS,
  type ExportOptions,
  exportManifests,
  FlaggerCanary,
  FlaggerMetricTemplate,
} from './index.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/incidents/nil-map-write', import.meta.url));

async function options(extra: Partial<ExportOptions> = {}): Promise<ExportOptions> {
  const source = await loadRolloutSource(FIXTURE, join(tmpdir(), 'medic-no-runs'));
  return {
    incident: source.incident,
    settings: resolveSettings({ bake: '30s,1m,1m,5m', window: '5m', interval: '20s' }),
    ...(source.signature ? { signature: source.signature } : {}),
    prometheusUrl: 'http://prometheus.monitoring:9090',
    namespace: 'shop',
    metrics: CLUSTER_METRICS,
    ...extra,
  };
}

function documents(yaml: string): Record<string, unknown>[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>);
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Every PromQL expression, template variables filled in, through `promtool check rules`. */
async function checkPromql(queries: string[]): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'medic-export-'));
  const filled = queries.map((q) =>
    q
      .replaceAll('{{args.canary-hash}}', 'abc123')
      .replaceAll('{{ namespace }}', 'shop')
      .replaceAll('{{ target }}', 'warehouse')
      .replaceAll('{{ interval }}', '5m'),
  );
  const rules = [
    'groups:',
    '  - name: medic',
    '    rules:',
    ...filled.flatMap((q, i) => [`      - record: medic:gate${i}`, `        expr: ${JSON.stringify(q)}`]),
  ];
  await writeFile(join(dir, 'rules.yml'), `${rules.join('\n')}\n`);
  const checked = await run(['promtool', 'check', 'rules', join(dir, 'rules.yml')]);
  expect(checked.stderr).toBe('');
  expect(checked.exitCode).toBe(0);
}

describe('Kubernetes exports', () => {
  it('writes an Argo Rollout and AnalysisTemplate carrying the plan and the three gates, valid against the CRDs', async () => {
    const o = await options();
    const [rollout, template] = documents(exportManifests('argo', o));
    expect(() => new Rollout(rollout as never).validate()).not.toThrow();
    expect(() => new AnalysisTemplate(template as never).validate()).not.toThrow();
    const steps = (rollout as { spec: { strategy: { canary: { steps: unknown[] } } } }).spec.strategy.canary
      .steps;
    expect(steps).toEqual([
      { setWeight: 5 },
      { pause: { duration: '30s' } },
      { setWeight: 25 },
      { pause: { duration: '1m' } },
      { setWeight: 50 },
      { pause: { duration: '1m' } },
      { setWeight: 100 },
      { pause: { duration: '5m' } },
    ]);
    const metrics = (
      template as {
        spec: {
          metrics: {
            name: string;
            successCondition: string;
            failureLimit: number;
            provider: { prometheus: { query: string } };
          }[];
        };
      }
    ).spec.metrics;
    expect(metrics.map((m) => m.name)).toEqual(['signature', 'error-rate', 'latency-p99']);
    expect(metrics.every((m) => m.failureLimit === 0)).toBe(true);
    expect(metrics[1]?.successCondition).toContain('result[0] <= 0.03');
    expect(metrics[2]?.successCondition).toContain('result[0] <= 0.8');
    expect(metrics[0]?.provider.prometheus.query).toContain(`signature="${o.signature}"`);
    expect(metrics[1]?.provider.prometheus.query).toContain('[5m]');
    await checkPromql(metrics.map((m) => m.provider.prometheus.query));
  });

  it('writes a Flagger Canary and one MetricTemplate per gate, valid against the CRD schemas', async () => {
    const o = await options();
    const [canary, ...templates] = documents(exportManifests('flagger', o));
    const c = FlaggerCanary.parse(canary);
    expect(c.spec.analysis.stepWeights).toEqual([5, 25, 50, 100]);
    expect(c.spec.analysis.interval).toBe('5m');
    expect(c.spec.analysis.threshold).toBe(1);
    expect(c.spec.analysis.metrics?.map((m) => [m.name, m.thresholdRange?.max])).toEqual([
      ['signature', 0],
      ['error-rate', 0.03],
      ['latency-p99', 0.8],
    ]);
    const parsed = templates.map((t) => FlaggerMetricTemplate.parse(t));
    expect(parsed.map((t) => t.metadata.name)).toEqual(
      c.spec.analysis.metrics?.map((m) => m.templateRef?.name),
    );
    expect(
      parsed.every((t) => t.spec.provider.address === o.prometheusUrl && t.metadata.namespace === 'shop'),
    ).toBe(true);
    await checkPromql(parsed.map((t) => t.spec.query));
  });

  it('leaves the signature gate out when the incident has no signature', async () => {
    const { signature: _, ...o } = await options();
    const [, template] = documents(exportManifests('argo', o));
    expect(JSON.stringify(template)).not.toContain('signature');
  });

  it('refuses to print a manifest its schema rejects (Argo weights are whole percents)', async () => {
    const o = await options({ settings: resolveSettings({ plan: '2.5,100' }) });
    let code = 'ok';
    try {
      exportManifests('argo', o);
    } catch (error) {
      code = isMedicError(error) ? error.code : String(error);
    }
    expect(code).toBe('MEDIC_ERR_ROLLOUT_EXPORT_INVALID');
    expect(() => FlaggerCanary.parse({ ...documents(exportManifests('flagger', o))[0], extra: 1 })).toThrow();
  });
});
