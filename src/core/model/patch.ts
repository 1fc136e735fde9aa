/** Patch: typed edit operations on the Go syntax tree, their diff and the regression test. */
import { z } from 'zod';
import { FixStrategy, IncidentId, SchemaVersion } from './common.js';
import { Usage } from './diagnosis.js';

/** One applied edit operation; `params` holds the operation's own typed values as strings. */
export const EditOperation = z.object({
  op: z.string().min(1),
  file: z.string().min(1),
  function: z.string().optional(),
  line: z.number().int().min(1).optional(),
  /** One sentence for the pull request: what changed and why it fixes the failure. */
  explanation: z.string().min(1),
  params: z.record(z.string(), z.string()).default({}),
  /** Last-resort operations (recover-and-log) are marked so reviewers see it. */
  lastResort: z.boolean().default(false),
});
export type EditOperation = z.infer<typeof EditOperation>;

export const RegressionTest = z.object({
  /** Repository-relative path of the generated `_test.go` file. */
  file: z.string(),
  /** Go package directory relative to the repo, e.g. `./internal/store`. */
  packageDir: z.string(),
  /** Test function name, for `go test -run '^Name$'`. */
  name: z.string().regex(/^Test[A-Za-z0-9_]*$/),
  source: z.string(),
  /**
   * How it reaches the failure: a direct call, the recorded request through the handler, concurrent
   * calls, a call watched for a deadlock, repeated calls counting the goroutines left blocked, or
   * repeated calls counting what a package counter says is still held.
   */
  kind: z
    .enum([
      'direct-call',
      'http-handler',
      'concurrent',
      'deadlock-watch',
      'goroutine-count',
      'retained-count',
    ])
    .optional(),
  /** Extra `go test` flags it needs to show the failure (`-race` for data races). */
  goTestFlags: z.array(z.string()).default([]),
  /** Text the failing run prints on the original code (the runtime's panic or race message). */
  failureText: z.string().optional(),
  /** The patch stage ran it on a scratch copy of the original code and saw it fail with `failureText`. */
  validated: z.boolean().default(false),
});
export type RegressionTest = z.infer<typeof RegressionTest>;

export const Patch = z.object({
  schemaVersion: SchemaVersion,
  incidentId: IncidentId,
  /** 1 is the best candidate. */
  rank: z.number().int().min(1),
  strategy: FixStrategy,
  origin: z.enum(['rules', 'llm', 'file']),
  operations: z.array(EditOperation),
  /** Unified diff of the source change (without the regression test), applyable with `git apply`. */
  diff: z.string(),
  files: z.array(z.string()),
  explanation: z.string(),
  regressionTest: RegressionTest.optional(),
  /** For `origin: 'llm'`: the model, the prompt version and what the proposal cost (retries and the repair round included). */
  llm: z.object({ model: z.string(), promptVersion: z.string(), usage: Usage }).optional(),
});
export type Patch = z.infer<typeof Patch>;
