// The service's configuration: file and MEDIC_* variables, and the start-up refusals that name the setting.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MedicConfig } from '../../src/core/config.js';
import { loadServiceConfig, parseServiceConfig, sourceSettings } from '../../src/service/config.js';
import { startServe, startWorker } from '../../src/service/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-service-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const log = pino({ level: 'silent' });

describe('service configuration', () => {
  it('overlays the MEDIC_* variables on the file', async () => {
    const file = join(dir, 'medic.config.json');
    await writeFile(
      file,
      JSON.stringify({
        service: {
          port: 9000,
          sources: { alertmanager: { auth: { basic: { username: 'am', password: 'pw' } } } },
          services: [
            {
              name: 'shop',
              repo: { path: '/src/shop' },
              artifacts: [
                { kind: 'profile', profile: 'heap', url: 'http://127.0.0.1:6060/debug/pprof/heap' },
              ],
            },
          ],
        },
      }),
    );
    const config = loadServiceConfig(
      {
        MEDIC_CONFIG: file,
        MEDIC_PORT: '9100',
        MEDIC_API_TOKEN: 'tok',
        MEDIC_GRAFANA_HMAC_SECRET: 'sec',
        DATABASE_URL: 'postgres://db/medic',
        MEDIC_REDIS_URL: 'redis://r:6379',
        MEDIC_FORGE: 'github',
        MEDIC_GITHUB_TOKEN: 'ghs',
        MEDIC_QUEUE_PREFIX: 'staging',
      },
      dir,
    );
    expect(config).toMatchObject({
      port: 9100,
      databaseUrl: 'postgres://db/medic',
      redisUrl: 'redis://r:6379',
      githubToken: 'ghs',
      forge: { provider: 'github' },
      queue: { prefix: 'staging', concurrency: { verify: 1 } },
    });
    expect(sourceSettings(config, 'api').auth).toEqual({ bearer: 'tok' });
    expect(sourceSettings(config, 'alertmanager').auth).toEqual({
      basic: { username: 'am', password: 'pw' },
    });
    expect(sourceSettings(config, 'grafana').auth?.hmac).toMatchObject({
      secret: 'sec',
      header: 'X-Grafana-Alerting-Signature',
    });
  });

  it('names the bad setting', () => {
    expect(() =>
      parseServiceConfig({
        services: [{ name: 'x', repo: {}, artifacts: [{ kind: 'profile', url: 'http://h/p' }] }],
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'MEDIC_ERR_CONFIG_INVALID',
        message: expect.stringContaining('service.services.0.artifacts.0'),
      }),
    );
    expect(() => parseServiceConfig({ queue: { attempts: 0 } })).toThrow(
      expect.objectContaining({ code: 'MEDIC_ERR_CONFIG_INVALID' }),
    );
  });

  it('refuses to serve without credentials, and a worker without the shared queue and ledger', async () => {
    const medic = MedicConfig.parse({ workDir: dir });
    await expect(startServe({ config: parseServiceConfig({}), medic, log })).rejects.toMatchObject({
      code: 'MEDIC_ERR_CONFIG_INVALID',
      message: expect.stringContaining('MEDIC_API_TOKEN'),
    });
    const auth = { sources: { default: { auth: { bearer: 't' } } } };
    await expect(
      startServe({ config: parseServiceConfig({ ...auth, worker: false }), medic, log }),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_CONFIG_INVALID',
    });
    await expect(
      startWorker({ config: parseServiceConfig({ redisUrl: 'redis://127.0.0.1:6379' }), medic, log }),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_CONFIG_INVALID',
    });
  });
});
