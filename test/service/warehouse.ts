/**
 * The nil-map-write fixture's service as the service tests deploy it: a bare "origin" holding its
 * source on main, a local GitHub for its pull requests, and its entry in the service config
 * (labels → service, artifacts read from the fixture at intake, the github forge).
 */
import { execFileSync } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { MEDIC_GIT_ENV } from '../../src/core/checkout.js';
import { FakeGitHub } from './github-server.js';

export const FIXTURE = join(import.meta.dirname, '../../fixtures/incidents/nil-map-write');

export interface Warehouse {
  /** The bare repository branches are pushed to. */
  bare: string;
  github: FakeGitHub;
  /** The local GitHub's REST API root. */
  githubUrl: string;
  /** `service.services[0]` and `service.forge` of the service config. */
  service: { services: unknown[]; forge: unknown };
}

export async function startWarehouse(dir: string, githubToken: string): Promise<Warehouse> {
  const bare = join(dir, 'warehouse.git');
  const seed = join(dir, 'seed');
  await cp(join(FIXTURE, 'service'), seed, { recursive: true });
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, env: MEDIC_GIT_ENV, stdio: 'ignore' });
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  git(seed, 'init', '--quiet', '--initial-branch=main');
  git(seed, 'add', '.');
  git(seed, 'commit', '--quiet', '-m', 'warehouse');
  git(seed, 'push', '--quiet', bare, 'main');
  const github = new FakeGitHub({ owner: 'acme', repo: 'warehouse', token: githubToken, bareRepo: bare });
  const githubUrl = await github.start();
  const artifact = (kind: string, file: string) => ({ kind, file: join(FIXTURE, 'artifacts', file) });
  const service = {
    services: [
      {
        name: 'warehouse',
        repo: { url: bare, branch: 'main' },
        mainPackage: './cmd/server',
        mode: 'http',
        run: { args: ['-addr', '{addr}'] },
        artifacts: [
          artifact('panic-log', 'panic.log'),
          artifact('request', 'request.json'),
          artifact('traffic', 'traffic.ndjson'),
        ],
        github: { owner: 'acme', repo: 'warehouse' },
      },
    ],
    forge: {
      provider: 'github',
      labels: ['medic'],
      reviewers: ['alice'],
      github: { apiUrl: githubUrl, pushUrl: bare },
    },
  };
  return { bare, github, githubUrl, service };
}
