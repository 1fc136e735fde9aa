/** Lines between a failure's first line and its goroutines: panic chains, signal lines, notes, multi-line values. */
import { type FailureBuilder, parseSignal } from './builder.js';
import { isRegisterLine } from './syntax.js';

const TAB = 9;

function startsAnchor(s: string, b: number): boolean {
  return (
    s.startsWith('goroutine ', b) ||
    s.startsWith('panic: ', b) ||
    s.startsWith('fatal error: ', b) ||
    s.startsWith('WARNING: DATA RACE', b)
  );
}

/**
 * A `fatal error:` right after a panic header is the same failure: a panic that turned fatal
 * (goexit, printing the value panicked), or two goroutines throwing `concurrent map writes` at once.
 */
function sameFatal(cur: FailureBuilder, text: string): boolean {
  if (cur.kind === 'fatal') return cur.fatal === text;
  if (cur.kind !== 'panic' || cur.recovered) return false;
  cur.kind = 'fatal';
  cur.fatal = text;
  return true;
}

/**
 * `panic during panic`: the runtime faulted while printing a panic (it then prints a signal dump).
 * It comes on its own line, or right after `panic: ` when printing the value itself faulted.
 */
export function panicDuringPanic(cur: FailureBuilder): void {
  cur.kind = 'fatal';
  cur.fatal = 'panic during panic';
  const last = cur.chain[cur.chain.length - 1];
  if (last?.value === 'panic during panic') cur.chain.pop();
}

/** Reads one header line into `cur`; false when the line is not part of the header. */
export function headerLine(
  cur: FailureBuilder,
  s: string,
  b: number,
  e: number,
  c: number,
  blankSeen: boolean,
): boolean {
  if (c === TAB && s.startsWith('\tpanic: ', b)) cur.addPanic(s.slice(b + 8, e));
  else if (c === 91 && s.startsWith('[signal ', b)) cur.signal = parseSignal(s.slice(b, e), undefined);
  else if (c === 80 && s.startsWith('PC=', b)) {
    // A `[signal ...]` line already said more (code, addr); the PC= line only fills a bare name.
    if (cur.signal?.pc === undefined) cur.signal = parseSignal(s.slice(b, e), cur.signal?.name ?? '');
  } else if (c === 112 && e - b === 18 && s.startsWith('panic during panic', b)) {
    panicDuringPanic(cur);
  } else if (c === 102 && s.startsWith('fatal error: ', b)) {
    return cur.goroutines.length === 0 && sameFatal(cur, s.slice(b + 13, e));
  } else if (
    (c === 114 && s.startsWith('runtime: ', b)) ||
    (c === 115 && s.startsWith('signal arrived during ', b)) ||
    c === 45 ||
    isRegisterLine(s, b, e)
  ) {
    // runtime notes, `-----` separators and registers belong to the dump
  } else if (!blankSeen && cur.kind === 'panic' && cur.chain.length > 0 && !startsAnchor(s, b)) {
    // Multi-line panic values: Go 1.26 indents the continuation lines with a tab.
    cur.continuePanic(s.slice(c === TAB ? b + 1 : b, e));
  } else return false;
  return true;
}
