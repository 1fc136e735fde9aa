/** Proposal: where the verified fix waits for a human (a branch and commit, a pull request). */
import { z } from 'zod';
import { IncidentId, IsoTime, SchemaVersion } from './common.js';

export const Proposal = z.object({
  schemaVersion: SchemaVersion,
  incidentId: IncidentId,
  provider: z.enum(['local', 'github']),
  branch: z.string(),
  baseBranch: z.string(),
  commit: z.string().regex(/^[0-9a-f]{7,64}$/),
  /** Pull-request URL (github) or the path of the review file (local). */
  url: z.string().optional(),
  reviewRef: z.string().optional(),
  title: z.string(),
  body: z.string(),
  createdAt: IsoTime,
});
export type Proposal = z.infer<typeof Proposal>;
