// The propose stage against real git: a verified patch lands on medic/<id>, once, with the diagnosis in the commit.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, prepareCheckout } from '../core/checkout.js';
import { ProposeError } from '../core/errors.js';
import type { Diagnosis, Incident, Patch, Verification } from '../core/model.js';
import { LocalForge, propose } from './index.js';

const incident: Incident = {
  schemaVersion: 1,
  id: 'demo-incident',
  source: 'cli',
  receivedAt: '2026-11-21T10:00:00Z',
  service: { name: 'demo', repo: { path: 'service' }, mainPackage: '.', run: { args: [], env: {} } },
  artifacts: [],
};

const diagnosis: Diagnosis = {
  schemaVersion: 1,
  incidentId: 'demo-incident',
  rootCauseClass: 'nil-map-write',
  summary: 'counts is never initialised',
  location: { file: 'main.go', line: 5, function: 'example.com/demo.add' },
  alternatives: [],
  mechanism: 'add writes to a nil map',
  evidenceChain: [
    { evidenceId: 'E1', claim: 'the panic says assignment to entry in nil map' },
    { evidenceId: 'E2', claim: 'the crashing frame is add' },
  ],
  counterfactual: 'if counts were made, add would not panic',
  fixStrategy: 'init-map-at-construction',
  otherStrategies: [],
  confidence: 0.9,
  provider: 'rules',
};

const before = 'package main\n\nvar counts map[string]int\n\nfunc add(k string) { counts[k]++ }\n';
const diff = [
  'diff --git a/main.go b/main.go',
  '--- a/main.go',
  '+++ b/main.go',
  '@@ -1,5 +1,5 @@',
  ' package main',
  ' ',
  '-var counts map[string]int',
  '+var counts = map[string]int{}',
  ' ',
  ' func add(k string) { counts[k]++ }',
  '',
].join('\n');

const patch: Patch = {
  schemaVersion: 1,
  incidentId: 'demo-incident',
  rank: 1,
  strategy: 'init-map-at-construction',
  origin: 'rules',
  operations: [
    {
      op: 'init-map',
      file: 'main.go',
      explanation: 'make the map where it is declared',
      params: {},
      lastResort: false,
    },
  ],
  diff,
  files: ['main.go'],
  explanation: 'initialise counts where it is declared',
  regressionTest: {
    file: 'main_test.go',
    packageDir: '.',
    name: 'TestAdd',
    source: 'package main\n',
    goTestFlags: [],
    validated: true,
  },
};

function verification(verdict: Verification['verdict']): Verification {
  return {
    schemaVersion: 1,
    incidentId: 'demo-incident',
    patchRank: 1,
    verdict,
    reason: verdict === 'verified' ? 'every check passed' : 'build failed',
    checks: [
      { name: 'build', command: ['go', 'build', './...'], outcome: 'pass', durationMs: 12, excerpt: '' },
    ],
    isolation: { kind: 'native', reason: 'test' },
    startedAt: '2026-11-21T10:00:00Z',
    finishedAt: '2026-11-21T10:00:01Z',
  };
}

describe('propose', () => {
  let root: string;
  let repo: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'medic-propose-'));
    const source = join(root, 'source');
    await mkdir(source);
    await writeFile(join(source, 'main.go'), before);
    repo = (await prepareCheckout(source, join(root, 'checkout'))).dir;
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('commits the patch and its regression test on medic/<id> and writes a review file', async () => {
    const forge = new LocalForge(join(root, 'out'));
    const input = { incident, diagnosis, patch, verification: verification('verified'), body: 'BODY' };
    const proposal = await propose(input, { repoDir: repo, forge });

    expect(proposal.branch).toBe('medic/demo-incident');
    expect(proposal.baseBranch).toBe('main');
    expect(await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('main');
    expect(await git(repo, ['show', `${proposal.branch}:main.go`])).toContain(
      'var counts = map[string]int{}',
    );
    expect(await git(repo, ['show', `${proposal.branch}:main_test.go`])).toBe('package main');
    const message = await git(repo, ['log', '-1', '--format=%B', proposal.branch]);
    expect(message).toContain('Medic-Incident: demo-incident');
    expect(message).toContain('counts is never initialised');
    expect(await readFile(join(root, 'out', 'review.md'), 'utf8')).toContain('BODY');

    // A retried propose finds its branch and makes no second commit.
    const again = await propose(input, { repoDir: repo, forge });
    expect(again.commit).toBe(proposal.commit);
    expect(await git(repo, ['rev-list', '--count', proposal.branch])).toBe('2');
  });

  it('refuses a patch that was not verified', async () => {
    const forge = new LocalForge(join(root, 'out'));
    const input = { incident, diagnosis, patch, verification: verification('rejected'), body: '' };
    await expect(propose(input, { repoDir: repo, forge })).rejects.toMatchObject({
      code: 'MEDIC_ERR_PROPOSE_NOT_VERIFIED',
    });
    expect(existsSync(join(root, 'out', 'review.md'))).toBe(false);
  });

  it('reports a patch that does not apply as a git error and leaves the base branch checked out', async () => {
    const forge = new LocalForge(join(root, 'out'));
    const broken = {
      ...patch,
      diff: diff.replace('-var counts map[string]int', '-var other map[string]int'),
    };
    const input = { incident, diagnosis, patch: broken, verification: verification('verified'), body: '' };
    const error = await propose(input, { repoDir: repo, forge }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProposeError);
    expect((error as ProposeError).code).toBe('MEDIC_ERR_PROPOSE_GIT');
    expect(await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('main');
    expect(await git(repo, ['branch', '--list', 'medic/*'])).toBe('');
    expect(await git(repo, ['status', '--porcelain'])).toBe('');
  });
});
