/**
 * Trace events (the eBPF collector's NDJSON wire format, one event per line) and
 * TraceFeatures (what ingest/trace derives from them).
 */
import { z } from 'zod';
import { SchemaVersion } from './common.js';

export const TRACE_EVENT_VERSION = 1 as const;

export const TraceProbe = z.enum(['panic', 'goroutine-create', 'gc-start', 'user-function']);
export type TraceProbe = z.infer<typeof TraceProbe>;

export const TraceFrame = z.object({
  function: z.string(),
  file: z.string().optional(),
  line: z.number().int().min(0).optional(),
  pc: z.string().optional(),
});
export type TraceFrame = z.infer<typeof TraceFrame>;

/**
 * One collector event (NDJSON, one per line, version `v`). Fields:
 * - `timeNs`: CLOCK_MONOTONIC nanoseconds, as the kernel's bpf_ktime_get_ns; only differences matter.
 * - `goid`: the goroutine the probe fired for. For `goroutine-create` that is the creating goroutine
 *   (`runtime.newproc1` runs on g0: the collector reads the creator from `callergp`).
 * - `parentGoid`: the goroutine that created `goid`, when known (Go 1.21+ keeps it in `g.parentGoid`).
 * - `childGoid`: for `goroutine-create`, the new goroutine's id when the collector knows it.
 * - `stack`: symbolised user stack, innermost first. For `goroutine-create` it is the creator's
 *   stack, so the first non-runtime frame is the `go` statement's call site.
 * - `function`: `user-function`: the probed function; `goroutine-create`: the function started.
 * - `panic`: for `panic`, the panic value's dynamic type name and its message.
 * New fields are added as optional; readers ignore fields they do not know.
 */
export const TraceEvent = z.object({
  v: z.literal(TRACE_EVENT_VERSION),
  probe: TraceProbe,
  pid: z.number().int(),
  tid: z.number().int(),
  goid: z.number().int().min(0),
  parentGoid: z.number().int().min(0).optional(),
  childGoid: z.number().int().min(0).optional(),
  timeNs: z.number().int().min(0),
  /** Stack pointer at the probe, as hex; used to drop duplicate entry hits. */
  sp: z.string().optional(),
  stack: z.array(TraceFrame).default([]),
  panic: z.object({ type: z.string(), message: z.string() }).optional(),
  /** For user-function and goroutine-create: the probed or started function. */
  function: z.string().optional(),
});
export type TraceEvent = z.infer<typeof TraceEvent>;

/**
 * An optional first line of a trace file saying who wrote it. Events follow; a file without
 * a header is read as the collector's. `generated: true` marks events that a generator wrote
 * to the schema rather than the eBPF collector observing a process.
 */
export const TraceHeader = z.object({
  v: z.literal(TRACE_EVENT_VERSION),
  kind: z.literal('header'),
  source: z.enum(['collector', 'generator']),
  generated: z.boolean(),
  /** The traced binary and process, when known. */
  binary: z.string().optional(),
  pid: z.number().int().optional(),
  goVersion: z.string().optional(),
  probes: z.array(z.string()).optional(),
  /** CLOCK_MONOTONIC nanoseconds and wall-clock time when recording started, to line events up with logs. */
  startNs: z.number().int().min(0).optional(),
  startedAt: z.string().optional(),
});
export type TraceHeader = z.infer<typeof TraceHeader>;

export const TraceFeatures = z.object({
  schemaVersion: SchemaVersion,
  artifact: z.string(),
  /** True when the events came from the schema generator rather than the collector. */
  generated: z.boolean(),
  durationNs: z.number().min(0),
  eventCount: z.number().int().min(0),
  duplicatesRemoved: z.number().int().min(0),
  probes: z.array(z.object({ probe: TraceProbe, count: z.number().int(), ratePerSec: z.number() })),
  spawnSites: z.array(
    z.object({
      /** `function (file:line)` of the `go` statement, or `go <started function>` when the stack is missing. */
      site: z.string(),
      /** The call site as a frame, when the creator's stack had one outside the runtime. */
      frame: TraceFrame.optional(),
      /** Functions started from this site (at most 5). */
      started: z.array(z.string()).optional(),
      count: z.number().int(),
      ratePerSec: z.number(),
      zScore: z.number(),
      outlier: z.boolean(),
    }),
  ),
  gc: z.object({ count: z.number().int(), meanIntervalMs: z.number(), stdIntervalMs: z.number() }),
  functionRates: z.array(z.object({ function: z.string(), count: z.number().int(), ratePerSec: z.number() })),
  /** Standard deviation of the gaps between consecutive events, in milliseconds. */
  jitterMs: z.number().min(0),
  meanGapMs: z.number().min(0),
  panic: z
    .object({
      goid: z.number().int(),
      type: z.string(),
      message: z.string(),
      timeNs: z.number(),
      stack: z.array(TraceFrame),
      /** What that goroutine did just before, oldest first. */
      before: z.array(z.object({ timeNs: z.number(), probe: TraceProbe, function: z.string().optional() })),
    })
    .optional(),
  /** Per-goroutine event lanes (capped), for the report's timeline. */
  timelines: z.array(
    z.object({
      goid: z.number().int(),
      parentGoid: z.number().int().optional(),
      events: z.array(z.object({ timeNs: z.number(), probe: TraceProbe, function: z.string().optional() })),
    }),
  ),
});
export type TraceFeatures = z.infer<typeof TraceFeatures>;
