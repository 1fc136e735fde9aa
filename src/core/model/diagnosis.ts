/** Diagnosis: the root cause, a blamed location that exists in the repository, and how to fix it. */
import { z } from 'zod';
import { CodeLocation, FailureClass, FixStrategy, IncidentId, SchemaVersion } from './common.js';

export const EvidenceLink = z.object({
  /** An EvidenceItem id (E1, E2...) of the incident's Evidence. */
  evidenceId: z.string().regex(/^E\d+$/),
  /** What this item shows, in one sentence. */
  claim: z.string().min(1),
});

export const Usage = z.object({
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  requests: z.number().int().min(0),
  costUsd: z.number().min(0).optional(),
  cached: z.boolean().default(false),
  /** Secrets removed from the requests before they left the machine, by kind (never the values). */
  redactions: z.record(z.string(), z.number().int().min(0)).optional(),
});
export type Usage = z.infer<typeof Usage>;

export const Diagnosis = z.object({
  schemaVersion: SchemaVersion,
  incidentId: IncidentId,
  rootCauseClass: FailureClass,
  summary: z.string().min(1),
  location: CodeLocation,
  /** Other candidate locations, best first (top-3 localisation in `medic eval`). */
  alternatives: z.array(CodeLocation).default([]),
  /** How the failure happens, step by step. */
  mechanism: z.string().min(1),
  evidenceChain: z.array(EvidenceLink).min(2),
  /** "If X held, Y would not fail." */
  counterfactual: z.string().min(1),
  fixStrategy: FixStrategy,
  /** Further strategies that apply, in ranked order after `fixStrategy`. */
  otherStrategies: z.array(FixStrategy).default([]),
  confidence: z.number().min(0).max(1),
  provider: z.enum(['rules', 'llm']),
  model: z.string().optional(),
  promptVersion: z.string().optional(),
  ruleVersion: z.string().optional(),
  usage: Usage.optional(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;
