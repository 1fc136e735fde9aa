// Who may start a rollout: a verified patch, reviewed on GitHub (approved or merged, as configured) or approved by an operator; read through the forge port.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Incident, type Proposal, SCHEMA_VERSION, type Verification } from '../../src/core/model.js';
import { GitHubForge, LocalForge } from '../../src/propose/index.js';
import { type ApprovalPolicy, admitRollout, checkAdmission } from '../../src/rollout/index.js';
import { FakeGitHub } from '../service/github-server.js';
import { errorCode } from './helpers.js';

const COMMIT = 'a'.repeat(40);
const TOKEN = 'test-token';
const at = '2026-01-01T00:00:00.000Z';
const incident: Incident = {
  schemaVersion: SCHEMA_VERSION,
  id: 'nil-map-write',
  source: 'cli',
  receivedAt: at,
  service: { name: 'warehouse', repo: {}, mainPackage: '.', run: { args: [], env: {} } },
  artifacts: [],
};
const verification = (verdict: Verification['verdict']): Verification => ({
  schemaVersion: SCHEMA_VERSION,
  incidentId: incident.id,
  patchRank: 1,
  verdict,
  reason: verdict === 'verified' ? 'every check passed' : 'tests-after failed',
  checks: [],
  isolation: { kind: 'native', reason: 'test' },
  startedAt: at,
  finishedAt: at,
});
const proposal = (provider: Proposal['provider'], url: string): Proposal => ({
  schemaVersion: SCHEMA_VERSION,
  incidentId: incident.id,
  provider,
  branch: 'medic/nil-map-write',
  baseBranch: 'main',
  commit: COMMIT,
  url,
  title: 'Fix',
  body: 'b',
  createdAt: at,
});

interface PullSpec {
  merged?: boolean;
  closed?: boolean;
  head?: string;
  reviews?: { login: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'; commit?: string }[];
}

describe('admitting a rollout', () => {
  let dir: string;
  let github: FakeGitHub;
  let forge: GitHubForge;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medic-admission-'));
    const bare = join(dir, 'warehouse.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    github = new FakeGitHub({ owner: 'acme', repo: 'warehouse', token: TOKEN, bareRepo: bare });
    forge = new GitHubForge({ owner: 'acme', repo: 'warehouse', token: TOKEN, apiUrl: await github.start() });
  });
  afterAll(async () => {
    await github.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const policy = (extra: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({
    require: 'approved',
    allowUnreviewed: false,
    forge,
    ...extra,
  });
  /** A pull request on the local GitHub, as GitHub would answer for it. */
  const pull = (n: number, spec: PullSpec): Proposal => {
    const html = `https://github.example/acme/warehouse/pull/${n}`;
    github.pulls.push({
      number: n,
      html_url: html,
      state: spec.merged || spec.closed ? 'closed' : 'open',
      title: 'Fix',
      body: 'b',
      merged_at: spec.merged ? at : null,
      draft: false,
      head: { ref: `medic/x${n}`, label: `acme:medic/x${n}`, sha: spec.head ?? COMMIT },
      base: { ref: 'main' },
      merged: spec.merged ?? false,
      merged_by: spec.merged ? { login: 'merger' } : null,
      labels: [],
      requested_reviewers: [],
    });
    github.reviews.set(
      n,
      (spec.reviews ?? []).map((r, i) => ({
        id: i + 1,
        state: r.state,
        commit_id: r.commit ?? COMMIT,
        user: { login: r.login },
      })),
    );
    return proposal('github', html);
  };
  const code = errorCode;
  const verified = [verification('verified')];
  const admit = (p: Proposal, extra: Partial<ApprovalPolicy> = {}) =>
    admitRollout({ incident, verifications: verified, proposal: p }, policy(extra));
  const decide = (p: Proposal, extra: Partial<ApprovalPolicy> = {}) =>
    checkAdmission({ incident, verifications: verified, proposal: p }, policy(extra));

  it('refuses a patch that was not verified, and a verified one never proposed', async () => {
    const input = { incident, verifications: [verification('rejected')], proposal: proposal('local', '/r') };
    expect(await code(admitRollout(input, policy({ operator: 'operator:me' })))).toBe(
      'MEDIC_ERR_ROLLOUT_NOT_VERIFIED',
    );
    expect(await code(admitRollout({ incident, verifications: [] }, policy()))).toBe(
      'MEDIC_ERR_ROLLOUT_NO_PROPOSAL',
    );
    expect(await code(admitRollout({ incident, verifications: verified }, policy()))).toBe(
      'MEDIC_ERR_ROLLOUT_NO_PROPOSAL',
    );
    expect((await checkAdmission(input, policy())).decision).toBe('refused');
  });

  it('counts the local provider as unreviewed: only the operator or the config opts in', async () => {
    const local = proposal('local', '/run/review.md');
    const localPolicy = (extra: Partial<ApprovalPolicy> = {}) => ({ forge: new LocalForge(dir), ...extra });
    expect(await code(admit(local, localPolicy()))).toBe('MEDIC_ERR_ROLLOUT_NOT_APPROVED');
    // Nobody will review it: not worth asking again.
    expect((await decide(local, localPolicy())).decision).toBe('refused');
    expect((await admit(local, localPolicy({ operator: 'operator:ana' }))).approval).toMatchObject({
      kind: 'operator',
      by: 'operator:ana',
    });
    expect((await admit(local, localPolicy({ allowUnreviewed: true }))).approval).toMatchObject({
      kind: 'operator',
      by: 'config:rollout.allowUnreviewed',
    });
  });

  it('reads GitHub: an approval of the verified commit or a merge admits; pending, stale or blocked reviews wait', async () => {
    const approved = pull(1, {
      reviews: [
        { login: 'ana', state: 'COMMENTED' },
        { login: 'bo', state: 'APPROVED' },
      ],
    });
    expect((await admit(approved)).approval).toMatchObject({ kind: 'review', by: 'bo', url: approved.url });
    expect(await code(admit(approved, { require: 'merged' }))).toBe('MEDIC_ERR_ROLLOUT_NOT_APPROVED');
    expect((await decide(approved, { require: 'merged' })).decision).toBe('waiting');
    const merged = pull(2, { merged: true, head: 'b'.repeat(40) });
    expect((await admit(merged, { require: 'merged' })).approval).toMatchObject({
      kind: 'merge',
      by: 'merger',
    });
    const pending = pull(3, { reviews: [{ login: 'ana', state: 'APPROVED', commit: 'c'.repeat(40) }] });
    expect(await decide(pending)).toMatchObject({
      decision: 'waiting',
      code: 'MEDIC_ERR_ROLLOUT_NOT_APPROVED',
      review: { state: 'pending' },
    });
    expect((await admit(pending, { operator: 'operator:ana' })).approval.kind).toBe('operator');
    const changed = pull(4, {
      head: 'd'.repeat(40),
      reviews: [{ login: 'ana', state: 'APPROVED', commit: 'd'.repeat(40) }],
    });
    expect(await decide(changed)).toMatchObject({ decision: 'waiting', review: { state: 'changed' } });
    const blocked = pull(5, {
      reviews: [
        { login: 'bo', state: 'APPROVED' },
        { login: 'cy', state: 'CHANGES_REQUESTED' },
      ],
    });
    // A request for changes is a review given: the operator cannot overrule it; the reviewer may still approve.
    expect(await code(admit(blocked, { operator: 'operator:ana' }))).toBe('MEDIC_ERR_ROLLOUT_NOT_APPROVED');
    expect((await decide(blocked)).decision).toBe('waiting');
    const redone = pull(6, {
      reviews: [
        { login: 'cy', state: 'CHANGES_REQUESTED' },
        { login: 'cy', state: 'APPROVED' },
      ],
    });
    expect((await admit(redone)).approval.by).toBe('cy');
    const closed = pull(7, { closed: true, reviews: [{ login: 'bo', state: 'APPROVED' }] });
    expect(await decide(closed)).toMatchObject({ decision: 'refused', review: { state: 'closed' } });

    // Requests as GitHub's REST API documents them (checked by the local GitHub).
    expect(github.requests).toContainEqual({ method: 'GET', path: '/repos/acme/warehouse/pulls/1/reviews' });
    expect(github.violations).toEqual([]);
  });

  it('says when GitHub cannot be read, unless the operator approved; waits only when it may recover', async () => {
    const broken = pull(8, {});
    github.failures.push(502);
    expect(await code(admit(broken))).toBe('MEDIC_ERR_ROLLOUT_REVIEW_UNAVAILABLE');
    github.failures.push(502);
    expect((await decide(broken)).decision).toBe('waiting');
    github.failures.push(502);
    expect((await admit(broken, { operator: 'operator:ana' })).approval.kind).toBe('operator');
    const missing = proposal('github', 'https://github.example/acme/warehouse/pull/99');
    expect(await decide(missing)).toMatchObject({
      decision: 'refused',
      code: 'MEDIC_ERR_ROLLOUT_REVIEW_UNAVAILABLE',
    });
    const notAPull = proposal('github', 'https://github.example/acme/warehouse');
    expect(await code(admit(notAPull))).toBe('MEDIC_ERR_ROLLOUT_REVIEW_UNAVAILABLE');
  });
});
