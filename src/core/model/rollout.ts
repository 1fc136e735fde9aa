/** Rollout: the staged release of a verified fix, every gate reading and every decision. */
import { z } from 'zod';
import { IncidentId, IsoTime, SchemaVersion } from './common.js';

export const RolloutStepPlan = z.object({
  /** Share of traffic sent to the canary, in percent. */
  weight: z.number().min(0).max(100),
  bakeSeconds: z.number().min(0),
});
export type RolloutStepPlan = z.infer<typeof RolloutStepPlan>;

export const GateName = z.enum(['error-rate', 'latency-p99', 'signature']);
export type GateName = z.infer<typeof GateName>;

export const GateReading = z.object({
  gate: GateName,
  at: IsoTime,
  /** Canary value; stable's for comparison when measured. */
  value: z.number(),
  baseline: z.number().optional(),
  threshold: z.number(),
  ok: z.boolean(),
  query: z.string().optional(),
  /** Requests the canary served in the window the value was measured over (error-rate, latency-p99). */
  samples: z.number().min(0).optional(),
});
export type GateReading = z.infer<typeof GateReading>;

export const RolloutDecision = z.object({
  at: IsoTime,
  step: z.number().int().min(0),
  decision: z.enum(['continue', 'hold', 'rollback', 'promote']),
  reason: z.string(),
  by: z.string().default('medic'),
});
export type RolloutDecision = z.infer<typeof RolloutDecision>;

export const RolloutStep = z.object({
  index: z.number().int().min(0),
  weight: z.number(),
  startedAt: IsoTime,
  endedAt: IsoTime.optional(),
  readings: z.array(GateReading),
});
export type RolloutStep = z.infer<typeof RolloutStep>;

/** Who let the patch meet production: a review or merge on the forge, or an operator's explicit opt-in. */
export const RolloutApproval = z.object({
  kind: z.enum(['review', 'merge', 'operator']),
  /** Reviewer login, or `operator:<user>`. */
  by: z.string(),
  at: IsoTime,
  /** Pull-request URL, when there is one. */
  url: z.string().optional(),
});
export type RolloutApproval = z.infer<typeof RolloutApproval>;

export const Rollout = z.object({
  schemaVersion: SchemaVersion,
  incidentId: IncidentId,
  /**
   * This rollout's id (`<incident-id>-<time>`): the `rollout` label of its metrics, the name of its
   * state directory. Optional for records written before it existed.
   */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/)
    .optional(),
  plan: z.array(RolloutStepPlan).min(1),
  gates: z.object({
    maxErrorRate: z.number().min(0).max(1),
    maxP99Ms: z.number().min(0),
    windowSeconds: z.number().min(1),
    /** Seconds between two readings of the gates during a bake. */
    intervalSeconds: z.number().min(0.1).optional(),
    /** Canary requests in the window a step needs before its bake can pass. */
    minRequests: z.number().int().min(0).optional(),
    /** Seconds a step may wait past its bake for traffic or readable gates before rolling back. */
    maxHoldSeconds: z.number().min(0).optional(),
  }),
  /** The failure signature the signature gate watches for in the canary's output. */
  signature: z.string().optional(),
  /** What is rolled out: the verified fix's commit on top of the stable commit. */
  patch: z.object({ commit: z.string(), baseCommit: z.string(), branch: z.string() }).optional(),
  approval: RolloutApproval.optional(),
  /** Which driver moved the traffic (`local`). */
  driver: z.string().optional(),
  startedAt: IsoTime.optional(),
  finishedAt: IsoTime.optional(),
  steps: z.array(RolloutStep),
  decisions: z.array(RolloutDecision),
  outcome: z.enum(['in-progress', 'promoted', 'rolled-back', 'aborted']),
});
export type Rollout = z.infer<typeof Rollout>;
