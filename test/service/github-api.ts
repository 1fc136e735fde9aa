/**
 * The GitHub REST requests Medic makes, as GitHub documents them (https://docs.github.com/rest,
 * API version 2022-11-28), as zod schemas for the local GitHub server to check every request
 * against. The compile-time checks below tie each schema to the request body GitHub's own OpenAPI
 * description declares (@octokit/openapi-types): same field names, same required fields.
 */
import type { operations } from '@octokit/openapi-types';
import { z } from 'zod';

type Body<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
type Query<Op extends keyof operations> = operations[Op] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never;

/** Same keys, and the same keys required. */
type SameShape<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? [RequiredKeys<A>] extends [RequiredKeys<B>]
      ? [RequiredKeys<B>] extends [RequiredKeys<A>]
        ? true
        : false
      : false
    : false
  : false;
type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];
const documented = <T extends true>(_: T) => undefined;

/** POST /repos/{owner}/{repo}/pulls — https://docs.github.com/rest/pulls/pulls#create-a-pull-request */
export const CreatePull = z
  .object({
    title: z.string().min(1).optional(),
    head: z.string().min(1),
    head_repo: z.string().optional(),
    base: z.string().min(1),
    body: z.string().optional(),
    maintainer_can_modify: z.boolean().optional(),
    draft: z.boolean().optional(),
    issue: z.number().int().optional(),
  })
  .strict()
  .refine((b) => b.title !== undefined || b.issue !== undefined, 'title is required unless issue is given');
documented<SameShape<z.input<typeof CreatePull>, Body<'pulls/create'>>>(true);

/** PATCH /repos/{owner}/{repo}/pulls/{pull_number} — https://docs.github.com/rest/pulls/pulls#update-a-pull-request */
export const UpdatePull = z
  .object({
    title: z.string().optional(),
    body: z.string().optional(),
    state: z.enum(['open', 'closed']).optional(),
    base: z.string().optional(),
    maintainer_can_modify: z.boolean().optional(),
  })
  .strict();
documented<SameShape<z.input<typeof UpdatePull>, Body<'pulls/update'>>>(true);

/** POST /repos/{owner}/{repo}/issues/{issue_number}/labels — https://docs.github.com/rest/issues/labels#add-labels-to-an-issue */
export const AddLabels = z.object({ labels: z.array(z.string().min(1)).min(1).optional() }).strict();
documented<SameShape<z.input<typeof AddLabels>, Body<'issues/add-labels'>>>(true);

/** POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers — https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request */
export const RequestReviewers = z
  .object({ reviewers: z.array(z.string()).optional(), team_reviewers: z.array(z.string()).optional() })
  .strict();
documented<SameShape<z.input<typeof RequestReviewers>, Body<'pulls/request-reviewers'>>>(true);

/** GET /repos/{owner}/{repo}/pulls query — https://docs.github.com/rest/pulls/pulls#list-pull-requests */
export const ListPullsQuery = z
  .object({
    state: z.enum(['open', 'closed', 'all']).optional(),
    head: z
      .string()
      .regex(/^[^:]+:.+$/, 'head is user:ref-name')
      .optional(),
    base: z.string().optional(),
    sort: z.enum(['created', 'updated', 'popularity', 'long-running']).optional(),
    direction: z.enum(['asc', 'desc']).optional(),
    per_page: z.coerce.number().int().min(1).max(100).optional(),
    page: z.coerce.number().int().min(1).optional(),
  })
  .strict();
documented<
  SameShape<Record<keyof z.input<typeof ListPullsQuery>, unknown>, Record<keyof Query<'pulls/list'>, unknown>>
>(true);

/** GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews query — https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request */
export const ListReviewsQuery = z
  .object({
    per_page: z.coerce.number().int().min(1).max(100).optional(),
    page: z.coerce.number().int().min(1).optional(),
  })
  .strict();
documented<
  SameShape<
    Record<keyof z.input<typeof ListReviewsQuery>, unknown>,
    Record<keyof Query<'pulls/list-reviews'>, unknown>
  >
>(true);

/**
 * Headers every request must carry: a token (`token` or `Bearer` scheme), a User-Agent (GitHub
 * rejects requests without one), the JSON media type and the API version.
 * https://docs.github.com/rest/overview/resources-in-the-rest-api
 */
export const RequiredHeaders = z.object({
  authorization: z.string().regex(/^(token|bearer) \S+$/i),
  'user-agent': z.string().min(1),
  accept: z.string().regex(/application\/vnd\.github(\.v3)?\+json|application\/json/),
  'x-github-api-version': z.literal('2022-11-28'),
});
