/**
 * From a Diagnosis to candidate operation lists: for each fix strategy (the diagnosis's, in its
 * order, then the class's fallbacks, recover-and-log last), the operations that implement it on
 * the code at the blamed line. Preconditions are checked later, when the operations are applied.
 */
import type { Diagnosis, FailureClass, FixStrategy } from '../core/model.js';
import type { GoNode } from '../lang/go/index.js';
import { CONVERSIONS, isPure } from './ops/common.js';
import type { Operation } from './ops/schema.js';
import {
  closeArgs,
  goroutineEntry,
  isMapWrite,
  mutexPlans,
  nilCandidates,
  onLine,
  type PlanContext,
  receiveChannels,
  releaseStatements,
  sendChannels,
  site,
  unique,
} from './plan-sites.js';

export type { PlanContext } from './plan-sites.js';

export interface Plan {
  strategy: FixStrategy;
  ops: Operation[];
}

/** Strategies the patch stage can also try for a class when the diagnosis did not list them. */
const FALLBACKS: Partial<Record<FailureClass, FixStrategy[]>> = {
  'nil-map-write': ['init-map-at-construction', 'init-map-lazily'],
  'nil-deref': ['nil-guard'],
  'index-range': ['bounds-check'],
  'slice-range': ['bounds-check'],
  'closed-channel-close': ['close-once', 'channel-ownership'],
  'send-on-closed': ['channel-ownership'],
  deadlock: ['lock-ordering'],
  'nil-channel-close': ['nil-guard'],
  'concurrent-map-write': ['add-mutex'],
  race: ['add-mutex'],
  'goroutine-leak': ['context-cancel', 'channel-ownership'],
  'heap-leak': ['bound-growth'],
  'type-assertion': ['checked-type-assertion'],
  'divide-by-zero': ['division-guard'],
  'custom-panic': ['other'],
};

/**
 * Classes a deferred recover() cannot catch: Go's fatal errors (concurrent map writes, deadlock,
 * stack overflow, unlock of an unlocked mutex, out of memory, race reports) and failures that are
 * no panic at all. Every other class is a panic a goroutine could recover.
 */
const UNRECOVERABLE: ReadonlySet<FailureClass> = new Set([
  'concurrent-map-write',
  'race',
  'deadlock',
  'goroutine-leak',
  'heap-leak',
  'oom',
  'stack-overflow',
  'unlock-of-unlocked',
  'fatal-error',
  'unknown',
]);

export function strategiesFor(diagnosis: Diagnosis): FixStrategy[] {
  const ordered = [
    diagnosis.fixStrategy,
    ...diagnosis.otherStrategies,
    ...(FALLBACKS[diagnosis.rootCauseClass] ?? []),
  ];
  // `other` has a planner only for explicit panics (return an error instead).
  const out: FixStrategy[] = [...new Set(ordered)].filter(
    (s) => s !== 'recover-and-log' && (s !== 'other' || diagnosis.rootCauseClass === 'custom-panic'),
  );
  if (!UNRECOVERABLE.has(diagnosis.rootCauseClass)) out.push('recover-and-log');
  return out;
}

type Planner = (ctx: PlanContext) => Promise<Operation[][]>;

const PLANNERS: Partial<Record<FixStrategy, Planner>> = {
  'init-map-at-construction': async (ctx) =>
    unique(onLine(ctx, isMapWrite).map((n) => n.childForFieldName('operand')?.text ?? '')).map((map) => [
      { op: 'init-map-at-construction', ...site(ctx), map },
    ]),
  'init-map-lazily': async (ctx) =>
    unique(onLine(ctx, isMapWrite).map((n) => n.childForFieldName('operand')?.text ?? '')).map((map) => [
      { op: 'init-map-lazily', ...site(ctx), map },
    ]),
  'nil-guard': async (ctx) => {
    const closes = onLine(
      ctx,
      (n) => n.type === 'call_expression' && n.childForFieldName('function')?.text === 'close',
    );
    const channels = closes
      .map((c) => c.childForFieldName('arguments')?.namedChildren[0]?.text ?? '')
      .filter((t) => t !== '');
    if (ctx.diagnosis.rootCauseClass === 'nil-channel-close')
      return channels.map((value) => [{ op: 'nil-guard', ...site(ctx), value }]);
    // Carrying on without the nil part (when the function can) ranks above giving up early.
    const values = await nilCandidates(ctx);
    return [
      ...values.map((value): Operation[] => [{ op: 'skip-if-nil', ...site(ctx), value }]),
      ...values.map((value): Operation[] => [{ op: 'nil-guard', ...site(ctx), value }]),
    ];
  },
  'bounds-check': async (ctx) =>
    unique(
      onLine(ctx, (n) => n.type === 'index_expression' || n.type === 'slice_expression').map((n) => n.text),
    ).map((expr) => [{ op: 'bounds-check', ...site(ctx), expr }]),
  'close-once': async (ctx) => closeArgs(ctx).map((channel) => [{ op: 'close-once', ...site(ctx), channel }]),
  'channel-ownership': async (ctx) => {
    if (ctx.diagnosis.rootCauseClass === 'goroutine-leak' || ctx.diagnosis.rootCauseClass === 'deadlock') {
      return sendChannels(ctx).map((channel) => [{ op: 'buffer-channel', ...site(ctx), channel }]);
    }
    return closeArgs(ctx).map((channel) => [{ op: 'remove-close', ...site(ctx), channel }]);
  },
  'context-cancel': async (ctx) =>
    unique([...sendChannels(ctx), ...receiveChannels(ctx)]).map((channel) => [
      { op: 'select-on-done', ...site(ctx), channel },
    ]),
  'checked-type-assertion': async (ctx) =>
    unique(onLine(ctx, (n) => n.type === 'type_assertion_expression').map((n) => n.text)).map((expr) => [
      { op: 'checked-type-assertion', ...site(ctx), expr },
    ]),
  'division-guard': async (ctx) =>
    unique(
      onLine(
        ctx,
        (n) =>
          n.type === 'binary_expression' && ['/', '%'].includes(n.childForFieldName('operator')?.text ?? ''),
      )
        .map((n) => n.childForFieldName('right'))
        .filter(
          (n): n is GoNode =>
            n != null &&
            isPure(n, new Set([...CONVERSIONS, ...ctx.blamed.fn.typeParams])) &&
            n.type !== 'int_literal',
        )
        .map((n) => n.text),
    ).map((divisor) => [{ op: 'division-guard', ...site(ctx), divisor }]),
  'lock-ordering': async (ctx) => {
    const recv = ctx.blamed.fn.receiver?.name;
    if (recv === undefined || recv === '' || recv === '_') return [];
    const methods = onLine(ctx, (n) => {
      const callee = n.type === 'call_expression' ? n.childForFieldName('function') : null;
      return callee?.type === 'selector_expression' && callee.childForFieldName('operand')?.text === recv;
    }).map((n) => n.childForFieldName('function')?.childForFieldName('field')?.text ?? '');
    return unique(methods.filter((m) => m !== '')).map((method) => [
      { op: 'call-locked-variant', ...site(ctx), method },
    ]);
  },
  'bound-growth': async (ctx) => {
    // Memory kept because a release is skipped on some path comes first: capping would hide it.
    const releases = releaseStatements(ctx).map((release): Operation[] => [
      {
        op: 'release-on-all-paths',
        ...site(ctx),
        line: release.startPosition.row + 1,
        release: release.text,
      },
    ]);
    const maps = onLine(ctx, isMapWrite).map((n) => n.childForFieldName('operand')?.text ?? '');
    const appends = onLine(
      ctx,
      (n) => n.type === 'call_expression' && n.childForFieldName('function')?.text === 'append',
    ).map((n) => n.childForFieldName('arguments')?.namedChildren[0]?.text ?? '');
    return [
      ...releases,
      ...unique([...maps, ...appends].filter((t) => t !== '')).map((collection): Operation[] => [
        { op: 'bound-growth', ...site(ctx), collection, limit: 10_000 },
      ]),
    ];
  },
  'add-mutex': async (ctx) => mutexPlans(ctx),
  other: async (ctx) =>
    onLine(ctx, (n) => n.type === 'call_expression' && n.childForFieldName('function')?.text === 'panic')
      .length > 0
      ? [[{ op: 'return-error', ...site(ctx) }]]
      : [],
  'recover-and-log': async (ctx) => {
    const entry = goroutineEntry(ctx);
    return entry === undefined ? [] : [[{ op: 'recover-and-log', ...entry }]];
  },
};

/** Candidate plans in strategy order, with why each strategy produced none. */
export async function plan(
  ctx: PlanContext,
): Promise<{ plans: Plan[]; skipped: { strategy: FixStrategy; reason: string }[] }> {
  const plans: Plan[] = [];
  const skipped: { strategy: FixStrategy; reason: string }[] = [];
  for (const strategy of strategiesFor(ctx.diagnosis)) {
    const planner = PLANNERS[strategy];
    if (planner === undefined) {
      skipped.push({ strategy, reason: 'no edit operation implements this strategy' });
      continue;
    }
    const alternatives = await planner(ctx);
    if (alternatives.length === 0)
      skipped.push({
        strategy,
        reason: `nothing at ${ctx.diagnosis.location.file}:${ctx.diagnosis.location.line} for ${strategy}`,
      });
    for (const ops of alternatives) plans.push({ strategy, ops });
  }
  return { plans, skipped };
}
