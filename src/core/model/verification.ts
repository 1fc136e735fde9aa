/** Verification: every check run on a patch, with its command, outcome and time, and the verdict. */
import { z } from 'zod';
import { IncidentId, IsoTime, SchemaVersion } from './common.js';

export const CheckName = z.enum([
  'apply',
  'build',
  'vet',
  'tests-before',
  'tests-after',
  'reproduction',
  'replay',
  'differential',
  'concurrency',
  'sandbox',
]);
export type CheckName = z.infer<typeof CheckName>;

export const Check = z.object({
  name: CheckName,
  /** argv of the command run (never a shell string). */
  command: z.array(z.string()),
  outcome: z.enum(['pass', 'fail', 'skipped', 'error']),
  exitCode: z.number().int().nullable().optional(),
  durationMs: z.number().min(0),
  /** The lines of output that matter (compiler errors, the failing test, the panic). */
  excerpt: z.string().default(''),
  /** Why a check was skipped or errored, or what a pass means ("panic gone: 200 OK"). */
  note: z.string().optional(),
  /** Check-specific measurements, e.g. runs failed before/after for concurrency checks. */
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type Check = z.infer<typeof Check>;

export const Isolation = z.object({
  kind: z.enum(['wasi', 'netns', 'native']),
  reason: z.string(),
});

export const Verification = z.object({
  schemaVersion: SchemaVersion,
  incidentId: IncidentId,
  /** Rank of the patch candidate this verifies. */
  patchRank: z.number().int().min(1),
  verdict: z.enum(['verified', 'rejected', 'inconclusive']),
  /** One sentence: which check decided the verdict. */
  reason: z.string(),
  checks: z.array(Check),
  isolation: Isolation,
  startedAt: IsoTime,
  finishedAt: IsoTime,
});
export type Verification = z.infer<typeof Verification>;
