/**
 * The knowledge base of Go failure classes: per class, where to look for the blame, which
 * repairs apply (ranked), and how to explain it from the facts of this incident.
 */
import type { FailureClass, FixStrategy } from '../../core/model.js';
import {
  assertion,
  closeTarget,
  conversionTypes,
  divisor,
  type Facts,
  indexNumbers,
  mapTarget,
  sendTarget,
} from './facts.js';
import {
  concurrentMap,
  dataRace,
  deadlock,
  goroutineLeak,
  heapLeak,
  unlockUnlocked,
} from './kb-concurrency.js';
import type { LocatorName } from './locate.js';
import { at, calledFrom, fn, place, quoted, stmt, Who, who } from './words.js';

export interface ClassRule {
  title: string;
  /** Tried in order; the first that finds an application location wins. */
  locators: LocatorName[];
  strategies: (f: Facts) => FixStrategy[];
  /** Confidence when the evidence names the place directly; scaled down for indirect evidence. */
  confidence: number;
  summary: (f: Facts) => string;
  mechanism: (f: Facts) => string;
  counterfactual: (f: Facts) => string;
}

const channelWord = (f: Facts, pick: (c: string | undefined) => string | undefined) => {
  const c = pick(f.code);
  return c ? `channel ${c}` : 'the channel';
};

const nilMapWrite: ClassRule = {
  title: 'write to a nil map',
  locators: ['crash'],
  strategies: () => ['init-map-at-construction', 'init-map-lazily'],
  confidence: 0.9,
  summary: (f) =>
    `${fn(f.blamed)} writes to ${mapTarget(f.code) ?? 'a map'} while it is nil, at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)}. The map ${mapTarget(f.code) ?? 'written there'} ` +
    `was never made: the value that owns it was built without initialising it, and a write to a nil map ` +
    `panics (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If ${mapTarget(f.code) ?? 'the map'} had been initialised with make() where its owner is constructed (or just before ` +
    `the write in ${fn(f.blamed)}), the write at ${at(f.blamed)} would succeed and ${who(f)} would not panic.`,
};

const nilDeref: ClassRule = {
  title: 'nil pointer dereference',
  locators: ['crash'],
  strategies: () => ['nil-guard', 'other'],
  confidence: 0.85,
  summary: (f) => `${fn(f.blamed)} dereferences a nil pointer at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} and faulted` +
    `${f.signal ? ` (${f.signal})` : ''}: a pointer or interface used on that line was nil, so the memory access ` +
    `failed and the runtime panicked (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If the value dereferenced by ${stmt(f)} were non-nil, or ${fn(f.blamed)} checked it for nil and returned early, ` +
    `${at(f.blamed)} would not fault and ${who(f)} would not panic.`,
};

const indexRange: ClassRule = {
  title: 'index out of range',
  locators: ['crash'],
  strategies: () => ['bounds-check'],
  confidence: 0.9,
  summary: (f) => {
    const n = indexNumbers(f.message);
    const detail = n.index !== undefined ? ` (index ${n.index}, length ${n.length})` : '';
    return `${fn(f.blamed)} indexes past the end of a slice or array at ${at(f.blamed)}${detail}.`;
  },
  mechanism: (f) => {
    const n = indexNumbers(f.message);
    const detail =
      n.index !== undefined
        ? `index ${n.index} into something of length ${n.length}`
        : 'an index beyond the length';
    return (
      `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} with ${detail}; the length was never checked, ` +
      `and Go's bounds check panicked (${quoted(f.message)}).`
    );
  },
  counterfactual: (f) => {
    const n = indexNumbers(f.message);
    const cond = n.index !== undefined ? `(here ${n.index} < ${n.length} does not hold)` : '';
    return `If ${fn(f.blamed)} checked the index against the length before ${stmt(f)} ${cond}, the access at ${at(f.blamed)} would not panic.`.replace(
      '  ',
      ' ',
    );
  },
};

const sliceRange: ClassRule = {
  ...indexRange,
  title: 'slice bounds out of range',
  summary: (f) => {
    const b = indexNumbers(f.message).bound;
    return `${fn(f.blamed)} slices beyond the bounds at ${at(f.blamed)}${b ? ` ([${b}])` : ''}.`;
  },
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)}; the slice expression's bounds were not ` +
    `checked against the length and capacity, and the runtime panicked (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If the bounds in ${stmt(f)} were clamped or checked against len() before slicing, ${at(f.blamed)} would not panic.`,
};

const closedClose: ClassRule = {
  title: 'close of a closed channel',
  locators: ['crash'],
  strategies: () => ['close-once', 'channel-ownership'],
  confidence: 0.85,
  summary: (f) => `${fn(f.blamed)} closes ${channelWord(f, closeTarget)} a second time at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} after ${channelWord(f, closeTarget)} had ` +
    `already been closed by another path; closing a closed channel panics (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If ${channelWord(f, closeTarget)} were closed exactly once (guarded by sync.Once, or closed only by its owner), ` +
    `the close at ${at(f.blamed)} would not panic.`,
};

const nilClose: ClassRule = {
  ...closedClose,
  title: 'close of a nil channel',
  strategies: () => ['nil-guard', 'channel-ownership'],
  summary: (f) =>
    `${fn(f.blamed)} closes ${channelWord(f, closeTarget)} while it is nil, at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} but ${channelWord(f, closeTarget)} was never ` +
    `made; closing a nil channel panics (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If ${channelWord(f, closeTarget)} had been made before use, or the close skipped it when nil, ${at(f.blamed)} would not panic.`,
};

const sendOnClosed: ClassRule = {
  title: 'send on a closed channel',
  locators: ['crash'],
  strategies: () => ['channel-ownership', 'context-cancel', 'close-once'],
  confidence: 0.8,
  summary: (f) =>
    `${fn(f.blamed)} sends on ${channelWord(f, sendTarget)} after it was closed, at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)}; another path had already closed ` +
    `${channelWord(f, sendTarget)} while senders were still running, and a send on a closed channel panics ` +
    `(${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If only the sending side closed ${channelWord(f, sendTarget)} after its last send (or senders stopped on a ` +
    `cancelled context first), the send at ${at(f.blamed)} would not panic.`,
};

const typeAssertion: ClassRule = {
  title: 'unchecked type assertion',
  locators: ['crash'],
  strategies: () => ['checked-type-assertion'],
  confidence: 0.9,
  summary: (f) => {
    const t = conversionTypes(f.message);
    return `${fn(f.blamed)} asserts ${t.wanted ?? 'a type'} without checking at ${at(f.blamed)}${t.actual ? ` but gets ${t.actual}` : ''}.`;
  },
  mechanism: (f) =>
    `${Who(f)} ran ${assertion(f.code) ? `\`${assertion(f.code)}\`` : stmt(f)} in ${place(f.blamed)}${calledFrom(f)}; ` +
    `the single-value form of a type assertion panics when the dynamic type differs (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If ${fn(f.blamed)} used the checked form \`v, ok := x.(T)\` and handled !ok, the assertion at ${at(f.blamed)} would not panic.`,
};

const divideByZero: ClassRule = {
  title: 'integer divide by zero',
  locators: ['crash'],
  strategies: () => ['division-guard'],
  confidence: 0.9,
  summary: (f) =>
    `${fn(f.blamed)} divides by ${divisor(f.code) ?? 'a value'} that can be zero, at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} with the divisor ${divisor(f.code) ?? ''} equal ` +
    `to zero; integer division by zero panics (${quoted(f.message)}).`.replace('  ', ' '),
  counterfactual: (f) =>
    `If ${fn(f.blamed)} checked ${divisor(f.code) ?? 'the divisor'} != 0 before dividing, ${at(f.blamed)} would not panic.`,
};

const stackOverflow: ClassRule = {
  title: 'unbounded recursion',
  locators: ['recursion', 'crash'],
  strategies: () => ['bound-growth', 'other'],
  confidence: 0.75,
  summary: (f) => `${fn(f.blamed)} recurses without a reachable base case, at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${fn(f.blamed)} appears ${f.repeats ?? 'many'} times on the printed stack of ${who(f)}, calling itself at ` +
    `${stmt(f)} until the goroutine stack limit was exceeded (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If the recursion at ${at(f.blamed)} reached a base case (or were bounded in depth), the stack would stay small and the runtime would not abort.`,
};

const customPanic: ClassRule = {
  title: 'explicit panic',
  locators: ['crash'],
  strategies: () => ['other', 'recover-and-log'],
  confidence: 0.5,
  summary: (f) => `${fn(f.blamed)} panics at ${at(f.blamed)} (${quoted(f.message)}).`,
  mechanism: (f) =>
    `${Who(f)} reached ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} and panicked with ${quoted(f.message)}; ` +
    `the condition that leads there is not handled as an error.`,
  counterfactual: (f) =>
    `If ${fn(f.blamed)} returned an error for this condition instead of panicking at ${at(f.blamed)}, ${who(f)} would not crash.`,
};

export const RULE_VERSION = 'rules-2026.1';

/** The knowledge base, by failure class. `unknown` has no rule: guessing is left to the LLM provider. */
export const knowledgeBase: Partial<Record<FailureClass, ClassRule>> = {
  'nil-map-write': nilMapWrite,
  'nil-deref': nilDeref,
  'index-range': indexRange,
  'slice-range': sliceRange,
  'closed-channel-close': closedClose,
  'nil-channel-close': nilClose,
  'send-on-closed': sendOnClosed,
  'concurrent-map-write': concurrentMap,
  race: dataRace,
  deadlock,
  'goroutine-leak': goroutineLeak,
  'heap-leak': heapLeak,
  oom: { ...heapLeak, title: 'out of memory', locators: ['heap', 'crash'] },
  'type-assertion': typeAssertion,
  'divide-by-zero': divideByZero,
  'unlock-of-unlocked': unlockUnlocked,
  'stack-overflow': stackOverflow,
  'custom-panic': customPanic,
  'fatal-error': { ...customPanic, title: 'fatal runtime error', strategies: () => ['other'] },
};
