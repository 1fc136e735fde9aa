/** Maps what the runtime printed (panic values, fatal error texts) onto Medic's failure classes. */
import type { FailureClass } from '../../core/model/common.js';

/** Substrings of runtime messages, most specific first. */
const PANIC_CLASSES: ReadonlyArray<readonly [string, FailureClass]> = [
  ['invalid memory address or nil pointer dereference', 'nil-deref'],
  ['assignment to entry in nil map', 'nil-map-write'],
  ['index out of range', 'index-range'],
  ['slice bounds out of range', 'slice-range'],
  ['close of closed channel', 'closed-channel-close'],
  ['close of nil channel', 'nil-channel-close'],
  ['send on closed channel', 'send-on-closed'],
  ['interface conversion: ', 'type-assertion'],
  ['integer divide by zero', 'divide-by-zero'],
];

const FATAL_CLASSES: ReadonlyArray<readonly [string, FailureClass]> = [
  ['concurrent map ', 'concurrent-map-write'],
  ['- deadlock!', 'deadlock'],
  ['stack overflow', 'stack-overflow'],
  ['out of memory', 'oom'],
  ['unlock of unlocked', 'unlock-of-unlocked'],
  ['Unlock of unlocked', 'unlock-of-unlocked'],
];

/** The class of one panic value as printed after `panic: `. */
export function classifyPanic(value: string): FailureClass {
  // Runtime errors print first; user values containing these words later in the text are not runtime errors.
  const head = value.length > 200 ? value.slice(0, 200) : value;
  for (const [needle, cls] of PANIC_CLASSES) {
    const at = head.indexOf(needle);
    if (at === 0 || (at > 0 && head.startsWith('runtime error: '))) return cls;
  }
  return head.startsWith('runtime error: ') ? 'unknown' : 'custom-panic';
}

/** The class of a `fatal error: ` text. */
export function classifyFatal(text: string): FailureClass {
  for (const [needle, cls] of FATAL_CLASSES) if (text.includes(needle)) return cls;
  return 'fatal-error';
}

/**
 * The class of a panic chain: the root cause (the first link with a runtime class) wins, since
 * later links are usually handlers re-panicking with a wrapped value.
 */
export function classifyChain(values: readonly string[]): FailureClass {
  let fallback: FailureClass = 'custom-panic';
  for (const v of values) {
    const cls = classifyPanic(v);
    if (cls !== 'custom-panic' && cls !== 'unknown') return cls;
    if (cls === 'unknown') fallback = 'unknown';
  }
  return values.length === 0 ? 'unknown' : fallback;
}
