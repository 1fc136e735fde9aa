/**
 * A local GitHub for the forge tests: the few REST endpoints Medic calls, backed by a bare git
 * repository for branches. Every request is checked against GitHub's documented shapes
 * (github-api.ts); a request that does not match is answered 422 as GitHub would and recorded
 * in `violations`, which the tests assert empty.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { components } from '@octokit/openapi-types';
import type { z } from 'zod';
import {
  AddLabels,
  CreatePull,
  ListPullsQuery,
  ListReviewsQuery,
  RequestReviewers,
  RequiredHeaders,
  UpdatePull,
} from './github-api.js';

type PullFields = Pick<
  components['schemas']['pull-request'],
  'number' | 'html_url' | 'state' | 'title' | 'body' | 'merged_at' | 'draft'
>;
interface Pull extends PullFields {
  head: { ref: string; label: string; sha: string };
  base: { ref: string };
  merged: boolean;
  merged_by: { login: string } | null;
  labels: { name: string }[];
  requested_reviewers: { login: string }[];
}
type Review = Pick<components['schemas']['pull-request-review'], 'id' | 'state' | 'commit_id'> & {
  user: { login: string };
};

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  token: string;
  /** The bare repository branches are pushed to. */
  bareRepo: string;
}

export class FakeGitHub {
  readonly pulls: Pull[] = [];
  readonly reviews = new Map<number, Review[]>();
  readonly violations: string[] = [];
  readonly requests: { method: string; path: string }[] = [];
  /** Answers the next requests with these statuses (error injection), first in first out. */
  readonly failures: number[] = [];
  private server: Server | undefined;

  constructor(private readonly options: FakeGitHubOptions) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request, response).catch((error: unknown) =>
        send(response, 500, { message: String(error) }),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    this.requests.push({ method, path: url.pathname });
    const headers = RequiredHeaders.safeParse(request.headers);
    if (!headers.success) {
      this.reject(response, `${method} ${url.pathname}: headers ${headers.error.message}`);
      return;
    }
    if (!request.headers.authorization?.endsWith(` ${this.options.token}`)) {
      send(response, 401, { message: 'Bad credentials' });
      return;
    }
    const injected = this.failures.shift();
    if (injected !== undefined) {
      send(response, injected, { message: `injected ${injected}` });
      return;
    }
    const base = `/repos/${this.options.owner}/${this.options.repo}`;
    if (!url.pathname.startsWith(`${base}/`)) {
      send(response, 404, { message: 'Not Found' });
      return;
    }
    const path = url.pathname.slice(base.length);
    const query = Object.fromEntries(url.searchParams);
    const body = method === 'GET' ? undefined : await readJson(request);
    for (const [verb, pattern, handler] of this.routes()) {
      const match = pattern.exec(path);
      if (verb === method && match !== null) {
        handler(response, match[1], query, body);
        return;
      }
    }
    this.reject(response, `${method} ${url.pathname} is not an endpoint Medic is expected to call`, 404);
  }

  /** The endpoints, relative to /repos/{owner}/{repo}. */
  private routes(): [
    string,
    RegExp,
    (r: ServerResponse, id: string | undefined, q: Record<string, string>, b: unknown) => void,
  ][] {
    return [
      ['GET', /^\/pulls$/, (r, _id, q) => this.list(r, q)],
      ['POST', /^\/pulls$/, (r, _id, _q, b) => this.create(r, b)],
      [
        'GET',
        /^\/pulls\/(\d+)$/,
        (r, id) =>
          this.withPull(r, id, (p) => {
            // As on GitHub, the head follows pushes to the branch.
            if (!p.merged) p.head.sha = this.branchHead(p.head.ref) || p.head.sha;
            send(r, 200, p);
          }),
      ],
      ['PATCH', /^\/pulls\/(\d+)$/, (r, id, _q, b) => this.update(r, id, b)],
      [
        'GET',
        /^\/pulls\/(\d+)\/reviews$/,
        (r, id, q) => {
          if (this.check(r, ListReviewsQuery, q, 'list reviews query') === undefined) return;
          this.withPull(r, id, (p) => send(r, 200, this.reviews.get(p.number) ?? []));
        },
      ],
      [
        'POST',
        /^\/issues\/(\d+)\/labels$/,
        (r, id, _q, body) => {
          const b = this.check(r, AddLabels, body, 'add labels body');
          if (b === undefined) return;
          this.withPull(r, id, (p) => {
            for (const name of b.labels ?? [])
              if (!p.labels.some((l) => l.name === name)) p.labels.push({ name });
            send(r, 200, p.labels);
          });
        },
      ],
      [
        'POST',
        /^\/pulls\/(\d+)\/requested_reviewers$/,
        (r, id, _q, body) => {
          const b = this.check(r, RequestReviewers, body, 'request reviewers body');
          if (b === undefined) return;
          this.withPull(r, id, (p) => {
            for (const login of b.reviewers ?? []) {
              if (!p.requested_reviewers.some((x) => x.login === login))
                p.requested_reviewers.push({ login });
            }
            send(r, 201, p);
          });
        },
      ],
    ];
  }

  private list(response: ServerResponse, query: Record<string, string>): void {
    const q = this.check(response, ListPullsQuery, query, 'list pulls query');
    if (q === undefined) return;
    const state = q.state ?? 'open';
    const found = this.pulls.filter(
      (p) => (q.head === undefined || p.head.label === q.head) && (state === 'all' || p.state === state),
    );
    send(response, 200, found);
  }

  private create(response: ServerResponse, body: unknown): void {
    const b = this.check(response, CreatePull, body, 'create pull body');
    if (b === undefined) return;
    const label = `${this.options.owner}:${b.head}`;
    const refused = !this.branchExists(b.head)
      ? `head ${b.head} does not exist`
      : !this.branchExists(b.base)
        ? `base ${b.base} does not exist`
        : this.pulls.some((p) => p.head.label === label && p.state === 'open')
          ? `A pull request already exists for ${label}.`
          : undefined;
    if (refused !== undefined) {
      send(response, 422, validation(refused));
      return;
    }
    const number = this.pulls.length + 1;
    const pull: Pull = {
      number,
      html_url: `https://github.example/${this.options.owner}/${this.options.repo}/pull/${number}`,
      state: 'open',
      title: b.title ?? '',
      body: b.body ?? null,
      merged_at: null,
      draft: b.draft ?? false,
      head: { ref: b.head, label, sha: this.branchHead(b.head) },
      base: { ref: b.base },
      merged: false,
      merged_by: null,
      labels: [],
      requested_reviewers: [],
    };
    this.pulls.push(pull);
    send(response, 201, pull);
  }

  private update(response: ServerResponse, id: string | undefined, body: unknown): void {
    const b = this.check(response, UpdatePull, body, 'update pull body');
    if (b === undefined) return;
    this.withPull(response, id, (p) => {
      if (b.title !== undefined) p.title = b.title;
      if (b.body !== undefined) p.body = b.body;
      if (b.state !== undefined) p.state = b.state;
      send(response, 200, p);
    });
  }

  private withPull(response: ServerResponse, id: string | undefined, body: (pull: Pull) => void): void {
    const pull = this.pulls.find((p) => p.number === Number(id));
    if (pull === undefined) send(response, 404, { message: 'Not Found' });
    else body(pull);
  }

  private check<S extends z.ZodType>(
    response: ServerResponse,
    schema: S,
    value: unknown,
    what: string,
  ): z.output<S> | undefined {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    this.reject(
      response,
      `${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    return undefined;
  }

  private reject(response: ServerResponse, violation: string, status = 422): void {
    this.violations.push(violation);
    send(response, status, validation(violation));
  }

  /** A reviewer approves (or asks for changes on) the pull request's current head. */
  review(number: number, login: string, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'): void {
    const pull = this.pulls.find((p) => p.number === number);
    if (pull === undefined) throw new Error(`no pull request ${number}`);
    const reviews = this.reviews.get(number) ?? [];
    reviews.push({ id: reviews.length + 1, state, commit_id: pull.head.sha, user: { login } });
    this.reviews.set(number, reviews);
  }

  /** Someone merges the pull request. */
  merge(number: number, login: string): void {
    const pull = this.pulls.find((p) => p.number === number);
    if (pull === undefined) throw new Error(`no pull request ${number}`);
    Object.assign(pull, {
      state: 'closed',
      merged: true,
      merged_at: new Date().toISOString(),
      merged_by: { login },
    });
  }

  private branchExists(branch: string): boolean {
    return this.branchHead(branch) !== '';
  }

  private branchHead(branch: string): string {
    try {
      return execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
        cwd: this.options.bareRepo,
        encoding: 'utf8',
      }).trim();
    } catch {
      return '';
    }
  }
}

function validation(message: string) {
  return { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message }] };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}
