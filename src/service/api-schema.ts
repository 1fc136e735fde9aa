/** Medic's own intake schema (`POST /v1/incidents`, version `medic.incident.v1`): a service, and artifacts uploaded or referenced. */
import { z } from 'zod';
import { IsoTime, ProfileKind } from '../core/model.js';

/** Git revisions and branch names as intake accepts them: no leading dash, no spaces (they reach git's argv). */
export const GitRef = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/,
    'a git revision or branch: letters, digits, . _ / -, not starting with -',
  );

export const ApiArtifact = z
  .object({
    kind: z.enum(['panic-log', 'log', 'profile', 'trace', 'request', 'traffic', 'input']),
    profile: ProfileKind.optional(),
    takenAt: IsoTime.optional(),
    /** Uploaded content; binary artifacts (profiles) as base64. */
    content: z.string().optional(),
    encoding: z.enum(['utf8', 'base64']).default('utf8'),
    /** Referenced content, fetched at intake (http or https). */
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'only http and https URLs are fetched')
      .optional(),
  })
  .strict()
  .refine((a) => (a.content === undefined) !== (a.url === undefined), 'give exactly one of content or url')
  .refine((a) => (a.kind === 'profile') === (a.profile !== undefined), 'profiles name their `profile` kind');
export type ApiArtifact = z.infer<typeof ApiArtifact>;

export const ApiIncident = z
  .object({
    schema: z.literal('medic.incident.v1'),
    /** A service named in service.services. */
    service: z.string().min(1).max(120),
    title: z.string().max(300).optional(),
    revision: GitRef.optional(),
    branch: GitRef.optional(),
    /** Deliveries with the same key while its incident is open are duplicates. */
    dedupKey: z.string().min(1).max(200).optional(),
    artifacts: z.array(ApiArtifact).max(32).default([]),
  })
  .strict();
export type ApiIncident = z.infer<typeof ApiIncident>;
