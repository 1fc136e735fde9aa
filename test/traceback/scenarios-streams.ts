// Corpus scenarios of log streams: net/http and slog recoveries, zap and logrus records, log shippers.
import type { FailureClass } from '../../src/core/model.js';
import { CART, type Expect, one, type Scenario, WORKER } from './scenarios.js';

export function httpScenarios(): Scenario[] {
  const served = (cls: FailureClass, top: string): Expect => ({
    kind: 'panic',
    class: cls,
    top,
    recovered: true,
  });
  const both = [served('nil-map-write', `${CART}.(*Cart).Add`), served('index-range', `${CART}.(*Cart).At`)];
  const dies = one('panic', 'nil-deref', `${CART}.(*Cart).Total`);
  return [
    { name: 'http-panic-serving', build: 'web', args: ['plain'], expect: [...both, ...dies] },
    { name: 'slog-json', build: 'web', args: ['slog-json'], expect: [...both, ...dies] },
    { name: 'slog-text', build: 'web', args: ['slog-text'], expect: [...both, ...dies] },
  ];
}

export function logScenarios(): Scenario[] {
  const recovered: Expect = {
    kind: 'panic',
    class: 'nil-map-write',
    top: 'main.(*order).add',
    recovered: true,
  };
  const hook: Expect = { kind: 'panic', class: 'nil-map-write', top: 'main.(*auditHook).Fire' };
  return ['logs', 'logs-vendor'].flatMap((build) => [
    ...['zap', 'zap-auto', 'logrus-json', 'logrus-text'].map((mode) => ({
      name: `${build}-${mode}`,
      build,
      args: [mode],
      expect: [recovered],
    })),
    { name: `${build}-logrus-hook`, build, args: ['logrus-hook'], expect: [hook] },
  ]);
}

export function shipped(): Scenario[] {
  const formats = [
    'k8s-timestamps',
    'cri',
    'cri-partial',
    'docker-json',
    'journald',
    'compose',
    'kubectl-prefix',
    'compose-timestamps',
  ];
  return formats.flatMap((format) => [
    {
      name: `${format}-nil-map-write`,
      build: 'trimpath',
      args: ['nil-map-write'],
      shipper: format,
      expect: one('panic', 'nil-map-write', `${CART}.(*Cart).Add`),
    },
    {
      name: `${format}-deadlock`,
      build: 'trimpath',
      args: ['deadlock'],
      shipper: format,
      expect: one('fatal', 'deadlock', `${WORKER}.Wait`),
    },
  ]);
}
