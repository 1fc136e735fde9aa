// The GitHub forge against a local GitHub (REST shapes checked against GitHub's documented API) and a bare repository.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEDIC_GIT_ENV } from '../../src/core/checkout.js';
import { type Incident, type Proposal, SCHEMA_VERSION } from '../../src/core/model.js';
import { GitHubForge, type GitHubForgeOptions, parsePullUrl } from '../../src/propose/index.js';
import { FakeGitHub } from './github-server.js';

const TOKEN = 'ghs_test_token_123';
let dir: string;
let bare: string;
let checkout: string;
let github: FakeGitHub;
let apiUrl: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: MEDIC_GIT_ENV, encoding: 'utf8' }).trim();
}

const incident = { id: 'shop-1', service: { name: 'shop' } } as unknown as Incident;

function request(body = 'Root cause: a nil map.') {
  return {
    incident,
    repoDir: checkout,
    branch: 'medic/shop-1',
    baseBranch: 'main',
    commit: git(checkout, 'rev-parse', 'medic/shop-1'),
    title: 'Fix nil-map-write in cart.Add',
    body,
  };
}

function forge(overrides: Partial<GitHubForgeOptions> = {}): GitHubForge {
  return new GitHubForge({
    owner: 'acme',
    repo: 'shop',
    token: TOKEN,
    apiUrl,
    pushUrl: bare,
    labels: ['medic', 'bug'],
    reviewers: ['alice'],
    ...overrides,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-github-'));
  bare = join(dir, 'origin.git');
  checkout = join(dir, 'checkout');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  execFileSync('git', ['clone', '--quiet', bare, checkout], { stdio: 'ignore' });
  await writeFile(join(checkout, 'cart.go'), 'package cart\n');
  git(checkout, 'add', '.');
  git(checkout, 'commit', '--quiet', '-m', 'base');
  git(checkout, 'push', '--quiet', 'origin', 'main');
  git(checkout, 'checkout', '--quiet', '-b', 'medic/shop-1');
  await writeFile(join(checkout, 'cart.go'), 'package cart\n\n// fixed\n');
  git(checkout, 'commit', '--quiet', '-am', 'fix');
  git(checkout, 'checkout', '--quiet', 'main');
  github = new FakeGitHub({ owner: 'acme', repo: 'shop', token: TOKEN, bareRepo: bare });
  apiUrl = await github.start();
});

afterEach(async () => {
  await github.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('GitHubForge', () => {
  it('pushes the branch and opens one pull request with labels and reviewers', async () => {
    const published = await forge().publish(request());
    expect(published.url).toBe('https://github.example/acme/shop/pull/1');
    expect(published.reviewRef).toBe('refs/pull/1/head');
    expect(git(bare, 'rev-parse', 'refs/heads/medic/shop-1')).toBe(request().commit);
    const pull = github.pulls[0];
    expect(pull).toMatchObject({
      title: 'Fix nil-map-write in cart.Add',
      body: 'Root cause: a nil map.',
      base: { ref: 'main' },
    });
    expect(pull?.labels.map((l) => l.name)).toEqual(['medic', 'bug']);
    expect(pull?.requested_reviewers.map((r) => r.login)).toEqual(['alice']);
    expect(github.violations).toEqual([]);
  });

  it('is idempotent: a retried publish finds the pull request, updates its body, opens no second one', async () => {
    const first = await forge().publish(request());
    const second = await forge().publish(request('Root cause: a nil map (re-run).'));
    expect(second.url).toBe(first.url);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]?.body).toBe('Root cause: a nil map (re-run).');
    expect(github.pulls[0]?.labels).toHaveLength(2);
    expect(github.violations).toEqual([]);
  });

  it('two publishes racing open one pull request', async () => {
    const results = await Promise.all([forge().publish(request()), forge().publish(request())]);
    expect(new Set(results.map((r) => r.url)).size).toBe(1);
    expect(github.pulls).toHaveLength(1);
    expect(github.violations).toEqual([]);
  });

  it('maps a refused token, an unavailable API and a failed push to their codes', async () => {
    await expect(forge({ token: 'wrong' }).publish(request())).rejects.toMatchObject({
      code: 'MEDIC_ERR_PROPOSE_FORGE_AUTH',
      retryable: false,
    });
    github.failures.push(503);
    await expect(forge().publish(request())).rejects.toMatchObject({
      code: 'MEDIC_ERR_PROPOSE_FORGE_UNAVAILABLE',
      retryable: true,
    });
    await expect(forge({ pushUrl: join(dir, 'missing.git') }).publish(request())).rejects.toMatchObject({
      code: 'MEDIC_ERR_PROPOSE_PUSH',
    });
    await expect(forge({ baseBranch: 'no-such-base' }).publish(request())).rejects.toMatchObject({
      code: 'MEDIC_ERR_PROPOSE_FORGE_REJECTED',
    });
    expect(github.pulls).toHaveLength(0);
  });

  it('reads the review of the proposal: an approval counts only at the verified commit', async () => {
    const published = await forge().publish(request());
    const number = parsePullUrl(published.url ?? '')?.number ?? 0;
    expect(number).toBe(1);
    const proposal = proposalOf(published.url ?? '');
    const state = async () => (await forge().reviewState(proposal)).state;
    expect(await state()).toBe('pending');
    github.review(1, 'alice', 'CHANGES_REQUESTED');
    expect(await state()).toBe('changes-requested');
    github.review(1, 'bob', 'COMMENTED');
    github.review(1, 'alice', 'APPROVED');
    expect(await forge().reviewState(proposal)).toMatchObject({ state: 'approved', by: 'alice' });
    // A push after the approval: the head is no longer the verified commit.
    git(checkout, 'checkout', '--quiet', 'medic/shop-1');
    await writeFile(join(checkout, 'cart.go'), 'package cart\n\n// fixed again\n');
    git(checkout, 'commit', '--quiet', '-am', 'more');
    git(checkout, 'push', '--quiet', bare, 'medic/shop-1');
    git(checkout, 'checkout', '--quiet', 'main');
    expect(await state()).toBe('changed');
    // An approval of that later head does not vouch for the verified commit.
    github.review(1, 'carol', 'APPROVED');
    expect(await state()).toBe('changed');
    github.merge(1, 'dave');
    expect(await forge().reviewState(proposal)).toMatchObject({ state: 'merged', by: 'dave' });
    expect(github.violations).toEqual([]);
  });

  it('says closed for a pull request closed unmerged, and refuses a proposal of another repository', async () => {
    const published = await forge().publish(request());
    const pull = github.pulls[0];
    if (pull) pull.state = 'closed';
    expect((await forge().reviewState(proposalOf(published.url ?? ''))).state).toBe('closed');
    await expect(
      forge().reviewState(proposalOf('https://github.example/acme/other/pull/1')),
    ).rejects.toMatchObject({ code: 'MEDIC_ERR_PROPOSE_NOT_PUBLISHED' });
    github.failures.push(502);
    await expect(forge().reviewState(proposalOf(published.url ?? ''))).rejects.toMatchObject({
      code: 'MEDIC_ERR_PROPOSE_FORGE_UNAVAILABLE',
      retryable: true,
    });
  });

  it("retrieves the proposal's branch into another checkout that lacks it", async () => {
    const published = await forge().publish(request());
    const elsewhere = join(dir, 'elsewhere');
    execFileSync(
      'git',
      ['clone', '--quiet', '--no-local', '--single-branch', '--branch', 'main', bare, elsewhere],
      { stdio: 'ignore' },
    );
    const proposal = proposalOf(published.url ?? '');
    await forge().retrieve(proposal, elsewhere);
    expect(git(elsewhere, 'rev-parse', 'refs/heads/medic/shop-1')).toBe(proposal.commit);
    await forge().retrieve(proposal, elsewhere);
    await expect(forge().retrieve({ ...proposal, commit: 'f'.repeat(40) }, elsewhere)).rejects.toMatchObject({
      code: 'MEDIC_ERR_PROPOSE_NOT_PUBLISHED',
    });
    await expect(
      forge({ pushUrl: join(dir, 'missing.git') }).retrieve(
        { ...proposal, commit: 'f'.repeat(40) },
        elsewhere,
      ),
    ).rejects.toMatchObject({ code: 'MEDIC_ERR_PROPOSE_FETCH' });
  });
});

function proposalOf(url: string): Proposal {
  return {
    schemaVersion: SCHEMA_VERSION,
    incidentId: 'shop-1',
    provider: 'github',
    branch: 'medic/shop-1',
    baseBranch: 'main',
    commit: git(checkout, 'rev-parse', 'medic/shop-1'),
    url,
    title: 'Fix',
    body: 'b',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}
