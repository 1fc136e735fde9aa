/** Evidence: the failure, profiles and trace fused into one record that points at the code to blame. */
import { z } from 'zod';
import { CodeLocation, FailureClass, IncidentId, SchemaVersion } from './common.js';
import { Failure } from './failure.js';
import { ProfileFeatures } from './profile.js';
import { TraceFeatures } from './trace.js';

export const EvidenceSource = z.enum(['traceback', 'race', 'pprof', 'trace', 'git', 'source', 'request']);
export type EvidenceSource = z.infer<typeof EvidenceSource>;

/**
 * One citable fact. Diagnoses cite these by `id` (E1, E2, ...), so every claim in a
 * pull request leads back to an artifact a reviewer can re-read.
 */
export const EvidenceItem = z.object({
  id: z.string().regex(/^E\d+$/),
  source: EvidenceSource,
  /** One line a human can check, e.g. `goroutine 7 panicked in store.(*Cart).Add at store/cart.go:42`. */
  summary: z.string(),
  /** The artifact it was read from, relative to the incident directory. */
  artifact: z.string().optional(),
  location: CodeLocation.optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

export const Suspect = z.object({
  location: CodeLocation,
  score: z.number().min(0),
  /** Why it is suspected; each reason cites an evidence item. */
  reasons: z.array(z.object({ source: EvidenceSource, detail: z.string(), evidenceId: z.string() })).min(1),
});
export type Suspect = z.infer<typeof Suspect>;

/** The signal vector, each component in [0,1] (see docs/architecture.md for the formulas). */
export const Signals = z.object({
  panicScore: z.number().min(0).max(1),
  pprofEntropy: z.number().min(0).max(1),
  traceJitter: z.number().min(0).max(1),
});
export type Signals = z.infer<typeof Signals>;

export const Evidence = z.object({
  schemaVersion: SchemaVersion,
  incidentId: IncidentId,
  /**
   * The class the evidence shows: the failure's, else the leak read from profile growth
   * (`goroutine-leak`, `heap-leak`), else the class of a panic seen only in a trace.
   */
  class: FailureClass.optional(),
  /** Absent for failures with no panic output (leaks seen only in profiles). */
  failure: Failure.optional(),
  /** Other failures read from the same artifacts (e.g. several race reports, repeated panics). */
  otherFailures: z.array(Failure).default([]),
  profiles: z.array(ProfileFeatures).default([]),
  trace: TraceFeatures.optional(),
  /** Dedup key: class + top application frames. */
  signature: z.string(),
  signals: Signals,
  items: z.array(EvidenceItem),
  /** Ranked, best first. */
  suspects: z.array(Suspect),
});
export type Evidence = z.infer<typeof Evidence>;
