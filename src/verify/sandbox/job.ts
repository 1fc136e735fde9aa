/** The sandbox's wire format: a job of steps the launcher runs, and the results it prints (zod both ways). */
import { z } from 'zod';
import { ReplayRequest } from '../../core/model.js';

/** Resource limits applied to one step's process (prlimit). `null` means "not limited" (and why is noted). */
export const Limits = z.object({
  cpuSeconds: z.number().int().positive(),
  /** Address-space limit; null for race builds and WASI (both reserve huge virtual ranges by design). */
  memoryBytes: z.number().int().positive().nullable(),
  /** Largest file the step may write. */
  fileBytes: z.number().int().positive(),
  openFiles: z.number().int().positive(),
});
export type Limits = z.infer<typeof Limits>;

export const ExecStep = z.object({
  kind: z.literal('exec'),
  /** Native executable and its arguments, or for `wasm` the module path then the program's arguments. */
  argv: z.array(z.string()).min(1),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  timeoutMs: z.number().int().positive(),
  limits: Limits,
  /** Run the argv[0] WebAssembly module under node:wasi, with only `preopen` visible. */
  wasm: z.object({ preopen: z.string() }).optional(),
  /** Bytes of stdout and of stderr kept (the tail). */
  maxOutputBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Standard input (native steps; batch programs replayed on their recorded input). */
  stdin: z.string().optional(),
});
export type ExecStep = z.input<typeof ExecStep>;
export type ParsedExecStep = z.output<typeof ExecStep>;

export const ReplayStep = z.object({
  kind: z.literal('replay'),
  /** The service binary; `{addr}` in its arguments becomes the listen address. */
  argv: z.array(z.string()).min(1),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  limits: Limits,
  requests: z.array(ReplayRequest),
  /** How long the server may take to accept connections. */
  startTimeoutMs: z.number().int().positive().default(15_000),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * After the last answer, keep the server up to this long while it prints no failure and does not
   * exit: a background goroutine may fail after the request that set it up was answered.
   */
  lingerMs: z.number().int().min(0).default(0),
  /**
   * Leak measurement: read `metric` from the service's own pprof endpoint at `path` before the
   * requests and, after them, until it falls back to where it was or `settleMs` passes.
   */
  probe: z
    .object({
      path: z.string().startsWith('/'),
      metric: z.enum(['goroutines', 'heap-bytes']),
      settleMs: z.number().int().positive(),
    })
    .optional(),
});
export type ReplayStep = z.input<typeof ReplayStep>;
export type ParsedReplayStep = z.output<typeof ReplayStep>;

export const Step = z.discriminatedUnion('kind', [ExecStep, ReplayStep]);
export type Step = z.input<typeof Step>;

export const Job = z.object({
  /** netns: fresh network/mount/pid namespaces, read-only filesystem but `writable`; native: limits only. */
  confinement: z.enum(['netns', 'native']),
  /** Directories the steps may write (their workspace and scratch dirs). */
  writable: z.array(z.string()),
  steps: z.array(Step),
});
export type Job = z.input<typeof Job>;
export type ParsedJob = z.output<typeof Job>;

export const ExecResult = z.object({
  kind: z.literal('exec'),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
  timedOut: z.boolean(),
  /** Set when the step could not start at all (missing binary, bad module). */
  startError: z.string().optional(),
});
export type ExecResult = z.infer<typeof ExecResult>;

export const ReplayResponse = z.union([
  z.object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
  }),
  /** The connection failed, was reset or timed out: how a server that panics mid-request answers. */
  z.object({ error: z.string() }),
]);
export type ReplayResponse = z.infer<typeof ReplayResponse>;

export const ReplayResult = z.object({
  kind: z.literal('replay'),
  /** Whether the server accepted connections at all. */
  started: z.boolean(),
  responses: z.array(ReplayResponse),
  /** The server's output (panics land on stderr). */
  stdout: z.string(),
  stderr: z.string(),
  /** The leak probe's readings (`after` is the lowest seen while settling), or why it could not read. */
  probe: z
    .union([z.object({ before: z.number(), after: z.number() }), z.object({ error: z.string() })])
    .optional(),
  /** Exit status if the server exited by itself before it was stopped (a crash). */
  exitedEarly: z.object({ exitCode: z.number().int().nullable(), signal: z.string().nullable() }).optional(),
  durationMs: z.number(),
});
export type ReplayResult = z.infer<typeof ReplayResult>;

export const StepResult = z.discriminatedUnion('kind', [ExecResult, ReplayResult]);
export type StepResult = z.infer<typeof StepResult>;

export const JobResult = z.object({
  /** What the launcher set up, e.g. "network, mount, pid namespaces; / read-only". */
  confinement: z.string(),
  results: z.array(StepResult),
});
export type JobResult = z.infer<typeof JobResult>;
