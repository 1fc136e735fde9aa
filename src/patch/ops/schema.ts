/**
 * The typed edit operations. Rules and the LLM propose these values; each is applied only after
 * its precondition holds on the syntax tree. Expressions (`map`, `value`...) are Go source text as
 * it appears at the site; `line` is where the evidence points (drift-tolerant: the nearest match wins).
 */
import { z } from 'zod';

/** Where an operation acts: the function (runtime name) and the recorded file and line. */
const Site = {
  file: z.string().min(1),
  function: z.string().min(1).optional(),
  line: z.number().int().min(1),
};

const Expr = z.string().min(1).max(200);

export const Operation = z.discriminatedUnion('op', [
  z
    .object({ op: z.literal('init-map-at-construction'), ...Site, map: Expr })
    .describe(
      'Make the map where the struct or variable holding it is constructed. `map` is the written map at the site.',
    ),
  z
    .object({ op: z.literal('init-map-lazily'), ...Site, map: Expr })
    .describe('Make the map just before each write when it is still nil.'),
  z
    .object({ op: z.literal('nil-guard'), ...Site, value: Expr })
    .describe('Return early (zero values, and an error where the function returns one) when `value` is nil.'),
  z
    .object({ op: z.literal('bounds-check'), ...Site, expr: Expr })
    .describe(
      'Return early when the index or slice bounds at the site are out of range. `expr` is `xs[i]` or `xs[a:b]`.',
    ),
  z
    .object({ op: z.literal('close-once'), ...Site, channel: Expr })
    .describe('Close the channel at most once, through a sync.Once next to it.'),
  z
    .object({ op: z.literal('remove-close'), ...Site, channel: Expr })
    .describe(
      'Remove a close by a goroutine that does not own the channel (another close, or a function it is handed to, closes it); a consumer that stops receiving drains it instead.',
    ),
  z
    .object({
      op: z.literal('add-mutex'),
      file: z.string().min(1),
      line: z.number().int().min(1),
      function: z.string().min(1).optional(),
      /** The struct type holding the shared state (bare name, in the package of `file`). */
      type: z.string().min(1),
      fields: z.array(z.string().min(1)).min(1),
    })
    .describe(
      'A sync.Mutex field in `type` (a struct of the package), locked with deferred unlock in every method that touches `fields`.',
    ),
  z
    .object({ op: z.literal('checked-type-assertion'), ...Site, expr: Expr })
    .describe(
      '`v := x.(T)` → `v, ok := x.(T)` with an early return when !ok. `expr` is the assertion `x.(T)`.',
    ),
  z
    .object({ op: z.literal('division-guard'), ...Site, divisor: Expr })
    .describe('Return early when the divisor is zero.'),
  z
    .object({ op: z.literal('select-on-done'), ...Site, channel: Expr, done: Expr.optional() })
    .describe(
      'Turn a blocking send or receive into a select that also returns when `done` (e.g. `ctx.Done()`) fires.',
    ),
  z
    .object({ op: z.literal('buffer-channel'), ...Site, channel: Expr })
    .describe(
      'Give the channel made at `make(...)` a buffer of one so a sender whose receiver gave up can finish.',
    ),
  z
    .object({ op: z.literal('recover-and-log'), ...Site })
    .describe(
      "Recover and log at the top of a goroutine's function. Last resort: the bug stays, the process lives.",
    ),
  z
    .object({
      op: z.literal('bound-growth'),
      ...Site,
      collection: Expr,
      limit: z.number().int().min(1).max(100_000_000),
    })
    .describe('Cap a map or slice that only grows: evict before inserting past `limit` entries.'),
  z
    .object({ op: z.literal('call-locked-variant'), ...Site, method: z.string().regex(/^[A-Za-z_]\w*$/) })
    .describe(
      "Where the receiver's mutex is already held (by the method or every caller), call the lock-free variant of `method` (its fooLocked, or one extracted from it) instead of `method`, which would lock it again and deadlock.",
    ),
  z
    .object({ op: z.literal('release-on-all-paths'), ...Site, release: Expr })
    .describe(
      'Move the release of what the function acquired (`release`, a call statement) to a defer right after the acquisition.',
    ),
  z
    .object({ op: z.literal('skip-if-nil'), ...Site, value: Expr })
    .describe(
      'Where `value` is nil, skip only the statements (or literal fields) that read through it and carry on.',
    ),
  z
    .object({ op: z.literal('return-error'), ...Site })
    .describe(
      'Turn the panic nearest the line into a returned error (adding an error result if needed) that every caller passes up; the error keeps only the constant text of the panic message.',
    ),
  /** Replace one function's body (LLM proposals): `body` is the new block including braces. */
  z.object({
    op: z.literal('replace-function-body'),
    file: z.string().min(1),
    line: z.number().int().min(1),
    function: z.string().min(1),
    body: z.string().min(2).max(20_000),
    /** Import paths the new body needs (the gate refuses dangerous ones). */
    imports: z
      .array(z.string().regex(/^[\w.\-/]+$/))
      .max(10)
      .default([]),
  }),
]);
export type Operation = z.infer<typeof Operation>;
export type OperationKind = Operation['op'];
/** The operation of one kind (`OpOf<'nil-guard'>`). */
export type OpOf<K extends OperationKind> = Extract<Operation, { op: K }>;

/** Operations that keep the bug and only contain it; the record marks them for reviewers. */
export const LAST_RESORT: ReadonlySet<OperationKind> = new Set(['recover-and-log']);
