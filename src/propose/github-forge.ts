/**
 * The GitHub forge: pushes the fix branch and opens (or finds) its pull request with @octokit/rest,
 * then adds labels and requests reviewers; reads the pull request's review for the rollout.
 * Idempotent: a retried or duplicated publish finds the pull request of the branch and never
 * opens a second one.
 */
import { Octokit } from '@octokit/rest';
import { ProposeError } from '../core/errors.js';
import { run } from '../core/exec.js';
import type { Proposal } from '../core/model.js';
import type { Forge, Published, ReviewRequest, ReviewStatus } from './forge.js';
import { hasCommit } from './git-refs.js';
import { forgeError, isDuplicatePull } from './github-errors.js';
import { readReview } from './github-review.js';

export interface GitHubForgeOptions {
  owner: string;
  repo: string;
  /** A token that may push and open pull requests (MEDIC_GITHUB_TOKEN); reading a public repository's reviews needs none. */
  token?: string;
  /** REST API root. Default https://api.github.com. */
  apiUrl?: string;
  /** Git remote the branch is pushed to. Default https://github.com/<owner>/<repo>.git. */
  pushUrl?: string;
  /** Branch the pull request targets. Default: the checkout's branch. */
  baseBranch?: string;
  labels?: readonly string[];
  reviewers?: readonly string[];
  teamReviewers?: readonly string[];
  draft?: boolean;
}

export class GitHubForge implements Forge {
  readonly name = 'github' as const;
  private readonly octokit: Octokit;

  constructor(private readonly options: GitHubForgeOptions) {
    this.octokit = new Octokit({
      ...(options.token ? { auth: options.token } : {}),
      baseUrl: options.apiUrl ?? 'https://api.github.com',
      userAgent: 'medic',
      // Failures surface as typed errors carrying the HTTP status; octokit's own request log would repeat them.
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    // The REST API version Medic is written against, on every request.
    this.octokit.hook.before('request', (request) => {
      request.headers['x-github-api-version'] = '2022-11-28';
    });
  }

  async publish(request: ReviewRequest): Promise<Published> {
    await this.push(request.repoDir, request.branch);
    const pull = (await this.findPull(request.branch)) ?? (await this.createPull(request));
    if (pull.state === 'open' && pull.body !== request.body) {
      await this.call('update the pull request', () =>
        this.octokit.rest.pulls.update({ ...this.repo(), pull_number: pull.number, body: request.body }),
      );
    }
    await this.decorate(pull.number);
    return { url: pull.html_url, reviewRef: `refs/pull/${pull.number}/head` };
  }

  /** Where the review of the proposal's pull request stands (the rollout's approval gate). */
  reviewState(proposal: Proposal): Promise<ReviewStatus> {
    return readReview(this.octokit, this.repo(), proposal);
  }

  /** Fetches the proposal's branch from the repository it was pushed to, unless the commit is there already. */
  async retrieve(proposal: Proposal, repoDir: string): Promise<void> {
    if (await hasCommit(repoDir, proposal.commit)) return;
    const ref = `refs/heads/${proposal.branch}`;
    const fetched = await run(
      ['git', 'fetch', '--quiet', '--force', '--', this.pushUrl(), `+${ref}:${ref}`],
      {
        cwd: repoDir,
        env: this.gitEnv(),
        timeoutMs: 120_000,
      },
    );
    if (fetched.exitCode !== 0) {
      throw new ProposeError(
        'MEDIC_ERR_PROPOSE_FETCH',
        `git fetch of ${proposal.branch} failed: ${fetched.stderr.trim().slice(-500)}`,
      );
    }
    if (!(await hasCommit(repoDir, proposal.commit))) {
      throw new ProposeError(
        'MEDIC_ERR_PROPOSE_NOT_PUBLISHED',
        `${proposal.branch} no longer holds the proposed commit ${proposal.commit.slice(0, 12)}`,
      );
    }
  }

  private repo(): { owner: string; repo: string } {
    return { owner: this.options.owner, repo: this.options.repo };
  }

  private async findPull(branch: string) {
    const { data } = await this.call('list pull requests', () =>
      this.octokit.rest.pulls.list({
        ...this.repo(),
        head: `${this.options.owner}:${branch}`,
        state: 'all',
        per_page: 10,
      }),
    );
    // An open one first; a closed one is still this incident's pull request (a human closed it).
    return data.find((p) => p.state === 'open') ?? data[0];
  }

  private async createPull(request: ReviewRequest) {
    try {
      const { data } = await this.octokit.rest.pulls.create({
        ...this.repo(),
        title: request.title,
        head: request.branch,
        base: this.options.baseBranch ?? request.baseBranch,
        body: request.body,
        draft: this.options.draft ?? false,
        maintainer_can_modify: true,
      });
      return data;
    } catch (error) {
      // Two publishes raced and the other one won: use its pull request.
      if (isDuplicatePull(error)) {
        const existing = await this.findPull(request.branch);
        if (existing) return existing;
      }
      throw forgeError('open the pull request', error);
    }
  }

  private async decorate(pullNumber: number): Promise<void> {
    const labels = [...(this.options.labels ?? [])];
    if (labels.length > 0) {
      await this.call('add labels', () =>
        this.octokit.rest.issues.addLabels({ ...this.repo(), issue_number: pullNumber, labels }),
      );
    }
    const reviewers = [...(this.options.reviewers ?? [])];
    const teams = [...(this.options.teamReviewers ?? [])];
    if (reviewers.length > 0 || teams.length > 0) {
      await this.call('request reviewers', () =>
        this.octokit.rest.pulls.requestReviewers({
          ...this.repo(),
          pull_number: pullNumber,
          reviewers,
          team_reviewers: teams,
        }),
      );
    }
  }

  /** Pushes the branch; the token travels in git's environment, never in argv or the URL. */
  private async push(repoDir: string, branch: string): Promise<void> {
    const url = this.pushUrl();
    const env = this.gitEnv();
    // Medic owns medic/* branches: a retried propose replaces its own earlier push.
    const push = () =>
      run(['git', 'push', '--quiet', '--force', '--', url, `refs/heads/${branch}:refs/heads/${branch}`], {
        cwd: repoDir,
        env,
        timeoutMs: 120_000,
      });
    let result = await push();
    // A concurrent push of the same branch (a duplicated job) loses the ref lock: once more, then compare.
    if (result.exitCode !== 0) result = await push();
    if (result.exitCode === 0) return;
    const local = await run(['git', 'rev-parse', `refs/heads/${branch}`], { cwd: repoDir });
    const remote = await run(['git', 'ls-remote', '--', url, `refs/heads/${branch}`], {
      cwd: repoDir,
      env,
      timeoutMs: 60_000,
    });
    if (local.exitCode === 0 && remote.stdout.startsWith(local.stdout.trim())) return;
    throw new ProposeError(
      'MEDIC_ERR_PROPOSE_PUSH',
      `git push of ${branch} failed: ${result.stderr.trim().slice(-500)}`,
    );
  }

  private pushUrl(): string {
    return this.options.pushUrl ?? `https://github.com/${this.options.owner}/${this.options.repo}.git`;
  }

  /** git's environment with the token as an HTTP header: never in argv, the URL or the repository's config. */
  private gitEnv(): NodeJS.ProcessEnv {
    if (this.options.token === undefined) return { ...process.env, GIT_TERMINAL_PROMPT: '0' };
    const basic = Buffer.from(`x-access-token:${this.options.token}`).toString('base64');
    return {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    };
  }

  private async call<T>(what: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw forgeError(what, error);
    }
  }
}
