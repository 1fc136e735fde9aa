/** Failure: one failure read from what a Go program printed (panic, fatal error, race report). */
import { z } from 'zod';
import { FailureClass, SchemaVersion } from './common.js';

/** Where a frame's code comes from; decides what Medic may blame and patch. */
export const FrameKind = z.enum(['application', 'dependency', 'stdlib', 'runtime', 'unknown']);
export type FrameKind = z.infer<typeof FrameKind>;

export const Frame = z.object({
  /** Fully qualified as printed, e.g. `example.com/shop/store.(*Cart).Add`. */
  function: z.string(),
  /** Import path of the package, e.g. `example.com/shop/store`. */
  package: z.string(),
  /** Receiver type without `*`, when the function is a method. */
  receiver: z.string().optional(),
  /** Short name: `Add`, `func1`, `Add.func1`. */
  name: z.string(),
  /** The file as printed (absolute, module-cache, trimpath...). */
  file: z.string(),
  line: z.number().int().min(0),
  /** Repository-relative path when the file belongs to the target repository. */
  repoFile: z.string().optional(),
  /** `+0x1d` offset as printed. */
  offset: z.string().optional(),
  /** Raw argument list as printed, e.g. `0xc000010000, {0x0, ...}`. */
  args: z.string().optional(),
  inlined: z.boolean().default(false),
  kind: FrameKind.default('unknown'),
});
export type Frame = z.infer<typeof Frame>;

export const Goroutine = z.object({
  id: z.number().int().min(0),
  /** State word as printed: running, chan receive, semacquire, sync.Mutex.Lock, IO wait... */
  state: z.string(),
  waitMinutes: z.number().int().min(0).optional(),
  lockedToThread: z.boolean().default(false),
  frames: z.array(Frame),
  /** `...additional frames elided...` was printed. */
  framesElided: z.boolean().default(false),
  /** `goroutine running on other thread; stack unavailable`. */
  stackUnavailable: z.boolean().default(false),
  createdBy: z
    .object({
      function: z.string(),
      file: z.string(),
      line: z.number().int().min(0),
      parentId: z.number().int().min(0).optional(),
    })
    .optional(),
});
export type Goroutine = z.infer<typeof Goroutine>;

/** One link of `panic: X [recovered]` chains, outermost first. */
export const PanicLink = z.object({
  value: z.string(),
  recovered: z.boolean().default(false),
  repanicked: z.boolean().default(false),
});
export type PanicLink = z.infer<typeof PanicLink>;

export const RaceAccess = z.object({
  kind: z.enum(['read', 'write']),
  /** Address as printed (`0x00c0000a4010`); pointers are not stable across runs. */
  address: z.string().optional(),
  size: z.number().int().optional(),
  goroutineId: z.number().int().min(0),
  previous: z.boolean(),
  frames: z.array(Frame),
});
export type RaceAccess = z.infer<typeof RaceAccess>;

export const RaceReport = z.object({
  /** The current access then the previous one. */
  accesses: z.array(RaceAccess).min(2),
  /** Where the racing goroutines were created, by id. */
  goroutines: z.array(
    z.object({
      id: z.number().int().min(0),
      status: z.enum(['running', 'finished']),
      createdAt: z.array(Frame),
    }),
  ),
});
export type RaceReport = z.infer<typeof RaceReport>;

/** Goroutines grouped by how alike their stacks are (exact, any pointer, any value). */
export const GoroutineBucket = z.object({
  level: z.enum(['exact', 'any-pointer', 'any-value']),
  ids: z.array(z.number().int()),
  state: z.string(),
  frames: z.array(Frame),
});
export type GoroutineBucket = z.infer<typeof GoroutineBucket>;

export const Failure = z.object({
  schemaVersion: SchemaVersion,
  kind: z.enum(['panic', 'fatal', 'race', 'signal', 'dump']),
  class: FailureClass,
  /** The panic value or fatal error text, verbatim (untrusted: may carry secrets). */
  message: z.string(),
  panicChain: z.array(PanicLink).default([]),
  signal: z
    .object({
      name: z.string(),
      code: z.string().optional(),
      addr: z.string().optional(),
      pc: z.string().optional(),
    })
    .optional(),
  goroutines: z.array(Goroutine),
  crashedGoroutineId: z.number().int().optional(),
  races: z.array(RaceReport).default([]),
  buckets: z.array(GoroutineBucket).default([]),
  /** Stable dedup key: class + top application frames (function names, not offsets). */
  signature: z.string(),
  goVersion: z.string().optional(),
  /** Where in the artifact the failure was read (1-based lines) and whether it was cut short. */
  source: z.object({
    artifact: z.string(),
    startLine: z.number().int().min(1),
    endLine: z.number().int().min(1),
  }),
  truncated: z.boolean().default(false),
  /** The process survived: net/http or a logger recovered the panic and logged its stack. */
  recovered: z.boolean().optional(),
  /** Frames of the `runtime stack:` section (the system stack), printed before the goroutines. */
  runtimeStack: z.array(Frame).optional(),
});
export type Failure = z.infer<typeof Failure>;
