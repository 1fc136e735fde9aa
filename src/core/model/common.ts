/** Shared building blocks of the records: versions, failure classes, locations. */
import { z } from 'zod';

/** Every record carries the version of its schema; bump it when a record changes incompatibly. */
export const SCHEMA_VERSION = 1 as const;
export const SchemaVersion = z.literal(SCHEMA_VERSION);

/** Incident ids are used in branch names, file names and URLs, so they are slugs. */
export const IncidentId = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'incident id must be a lowercase slug: [a-z0-9][a-z0-9._-]*');
export type IncidentId = z.infer<typeof IncidentId>;

/** The failure classes Medic knows. Parsers map runtime output onto these; `unknown` is the honest fallback. */
export const FailureClass = z.enum([
  'nil-deref',
  'nil-map-write',
  'index-range',
  'slice-range',
  'closed-channel-close',
  'nil-channel-close',
  'send-on-closed',
  'concurrent-map-write',
  'race',
  'deadlock',
  'goroutine-leak',
  'heap-leak',
  'oom',
  'stack-overflow',
  'type-assertion',
  'divide-by-zero',
  'unlock-of-unlocked',
  'custom-panic',
  'fatal-error',
  'unknown',
]);
export type FailureClass = z.infer<typeof FailureClass>;

/** How a repair is made; the diagnose stage picks one, the patch stage implements it. */
export const FixStrategy = z.enum([
  'init-map-at-construction',
  'init-map-lazily',
  'nil-guard',
  'bounds-check',
  'close-once',
  'channel-ownership',
  'add-mutex',
  'checked-type-assertion',
  'division-guard',
  'context-cancel',
  'bound-growth',
  'lock-ordering',
  'recover-and-log',
  'other',
]);
export type FixStrategy = z.infer<typeof FixStrategy>;

/**
 * A place in the target repository. `file` is repository-relative with forward slashes.
 * `function` is the name as the Go runtime prints it, qualified by import path:
 * `example.com/shop/internal/cart.(*Cart).Add`, closures `...(*Cart).Add.func1`, generics `...Map[...]`.
 */
export const CodeLocation = z.object({
  file: z.string().min(1),
  line: z.number().int().min(1),
  function: z.string().min(1),
});
export type CodeLocation = z.infer<typeof CodeLocation>;

export const IsoTime = z.iso.datetime({ offset: true });
