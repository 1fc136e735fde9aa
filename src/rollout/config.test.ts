// The `rollout` section of medic.config.json, read by core's loadConfig, and the settings made from it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, RolloutConfig } from '../core/config.js';
import { isMedicError } from '../core/errors.js';
import { configuredSettings, plannedRollout } from './config.js';
import { DEFAULTS } from './plan.js';

describe('the rollout section of medic.config.json', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medic-rollout-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const codeOf = (body: () => unknown) => {
    try {
      body();
      return 'ok';
    } catch (error) {
      return isMedicError(error) ? `${error.code} ${error.message}` : String(error);
    }
  };

  it('defaults to approved reviews, no unreviewed rollouts, a local Prometheus and the design plan', () => {
    const c = loadConfig({}, dir).rollout;
    expect(c).toEqual({
      approval: 'approved',
      allowUnreviewed: false,
      prometheusUrl: 'http://127.0.0.1:9090',
      listen: '127.0.0.1:8080',
      adminListen: '127.0.0.1:9464',
    });
    const planned = plannedRollout(c);
    expect(planned.plan.map((s) => s.weight)).toEqual([5, 25, 50, 100]);
    expect(planned.gates).toMatchObject({ maxErrorRate: DEFAULTS.maxErrorRate, maxP99Ms: DEFAULTS.maxP99Ms });
  });

  it('reads the file, and the environment overrides it; flags override the file', async () => {
    await writeFile(
      join(dir, 'medic.config.json'),
      JSON.stringify({
        rollout: { approval: 'merged', bake: '1m', maxErrorRate: 0.05, prometheusUrl: 'http://p:9090' },
      }),
    );
    const c = loadConfig(
      { MEDIC_PROMETHEUS_URL: 'http://q:9090', MEDIC_ROLLOUT_ALLOW_UNREVIEWED: 'true' },
      dir,
    ).rollout;
    expect(c).toMatchObject({
      approval: 'merged',
      bake: '1m',
      maxErrorRate: '0.05',
      prometheusUrl: 'http://q:9090',
      allowUnreviewed: true,
    });
    const settings = configuredSettings(c, { bake: '10s' });
    expect(settings.plan.map((s) => s.bakeSeconds)).toEqual([10, 10, 10, 10]);
    expect(settings.maxErrorRate).toBe(0.05);
  });

  it('names the bad setting', async () => {
    const file = join(dir, 'medic.config.json');
    await writeFile(file, JSON.stringify({ rollout: { approval: 'maybe' } }));
    expect(codeOf(() => loadConfig({}, dir))).toMatch(/^MEDIC_ERR_CONFIG_INVALID .*rollout\.approval/);
    await writeFile(file, JSON.stringify({ rollout: { window: 'five minutes' } }));
    expect(codeOf(() => loadConfig({}, dir))).toMatch(/^MEDIC_ERR_CONFIG_INVALID .*rollout\.window/);
    await writeFile(file, JSON.stringify({ rollout: 5 }));
    expect(codeOf(() => loadConfig({}, dir))).toMatch(/^MEDIC_ERR_CONFIG_INVALID/);
    await writeFile(file, '{ nope');
    expect(codeOf(() => loadConfig({}, dir))).toMatch(/^MEDIC_ERR_CONFIG_INVALID/);
    // Well-formed but meaningless: weights must increase. The config is to blame, not a flag.
    const decreasing = RolloutConfig.parse({ plan: '50,25' });
    expect(codeOf(() => configuredSettings(decreasing))).toMatch(/^MEDIC_ERR_CONFIG_INVALID rollout section/);
    expect(codeOf(() => configuredSettings(RolloutConfig.parse({}), { plan: '50,25' }))).toMatch(
      /^MEDIC_ERR_INPUT_BAD_OPTION/,
    );
  });
});
