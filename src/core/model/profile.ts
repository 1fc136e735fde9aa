/** ProfileFeatures: what one pprof profile (or two of a kind) says about where time and memory go. */
import { z } from 'zod';
import { CodeLocation, IsoTime, SchemaVersion } from './common.js';
import { ProfileKind } from './incident.js';

export const FunctionStat = z.object({
  function: z.string(),
  file: z.string(),
  line: z.number().int().min(0),
  flat: z.number(),
  cum: z.number(),
  /** flat and cum as a share of the profile total, in [0,1]. */
  flatShare: z.number().min(0).max(1),
  cumShare: z.number().min(0).max(1),
  /** Repository-relative path when `file` belongs to the target repository (an application function). */
  repoFile: z.string().optional(),
});
export type FunctionStat = z.infer<typeof FunctionStat>;

export const StackGrowth = z.object({
  /** Function names leaf first. */
  stack: z.array(z.string()),
  leaf: z.object({ function: z.string(), file: z.string(), line: z.number().int().min(0) }),
  /** The innermost application frame of the stack (file repository-relative): where the code to blame is. */
  site: CodeLocation.optional(),
  /** The next application frames outward from `site` (at most 4): who asked for what grew. */
  callers: z.array(CodeLocation).optional(),
  before: z.number(),
  after: z.number(),
  delta: z.number(),
  perMinute: z.number(),
});
export type StackGrowth = z.infer<typeof StackGrowth>;

/** A call tree for flame graphs: root first, children by value; trimmed to the nodes that matter. */
export interface FlameNode {
  name: string;
  value: number;
  children: FlameNode[];
}
export const FlameNode: z.ZodType<FlameNode> = z.object({
  name: z.string(),
  value: z.number(),
  get children() {
    return z.array(FlameNode);
  },
});

export const ProfileFeatures = z.object({
  schemaVersion: SchemaVersion,
  kind: ProfileKind,
  artifact: z.string(),
  sampleTypes: z.array(z.object({ type: z.string(), unit: z.string() })),
  /** The sample type the top lists and entropy are computed on. */
  valueType: z.object({ type: z.string(), unit: z.string() }),
  total: z.number(),
  durationNanos: z.number().optional(),
  /** When the profile was taken, from the profile itself (`time_nanos`) or else the artifact reference. */
  takenAt: IsoTime.optional(),
  sampleCount: z.number().int().min(0).optional(),
  topFlat: z.array(FunctionStat),
  topCum: z.array(FunctionStat),
  /**
   * Application functions (file in the repository) ranked by the value of the samples whose
   * innermost application frame they are: where the repository's own code incurs the cost.
   * `flat` holds that attributed value here.
   */
  topApplication: z.array(FunctionStat).optional(),
  /** Goroutine dumps (debug=2): goroutines by the `created by` site, most first; with a baseline, the growth. */
  creationSites: z
    .array(
      z.object({
        function: z.string(),
        file: z.string(),
        line: z.number().int().min(0),
        repoFile: z.string().optional(),
        count: z.number().int().min(0),
        before: z.number().int().min(0).optional(),
        delta: z.number().int().optional(),
      }),
    )
    .optional(),
  /** Normalised Shannon entropy of the flat distribution over functions, in [0,1]. */
  entropy: z.number().min(0).max(1),
  /** The call tree of `valueType`, root `total`, nodes under 0.5 % of the total folded away (report flame graph). */
  flame: FlameNode.optional(),
  /** Present when a baseline profile of the same kind was given. */
  growth: z
    .object({
      baselineArtifact: z.string(),
      intervalSeconds: z.number().min(0),
      /** Profile totals of the baseline and of this profile, in `valueType` units. */
      totalBefore: z.number().optional(),
      totalAfter: z.number().optional(),
      /** Stacks whose value grew, largest growth first (at most 10). */
      stacks: z.array(StackGrowth),
    })
    .optional(),
});
export type ProfileFeatures = z.infer<typeof ProfileFeatures>;
