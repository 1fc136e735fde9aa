/** File lines (`\tpath/file.go:12 +0x1d`) and the caches that make repeated lines cheap. */

import { findLast } from './scan.js';

const TAB = 9;
const SPACE = 32;
const COLON = 58;
const PLUS = 43;

/** What a file line holds, parsed from its right end (paths may contain spaces and colons). */
export interface FileLine {
  file: string;
  line: number;
  offset: string | undefined;
}

/**
 * Parses `\t/path/file.go:123 +0x1d fp=0x.. sp=0x.. pc=0x..` between [b, e) of src (leading
 * whitespace allowed) into `out`; false when the text is not a file line.
 */
export function parseFileLine(src: string, b: number, e: number, out: FileLine, intern: Interner): boolean {
  while (b < e && (src.charCodeAt(b) === TAB || src.charCodeAt(b) === SPACE)) b++;
  // Strip trailing ` fp=0x..`, ` sp=0x..`, ` pc=0x..` and ` +0x..` tokens (GOTRACEBACK=system adds the first three).
  let end = e;
  let offB = -1;
  let offE = -1;
  for (let guard = 0; guard < 5; guard++) {
    const sp = findLast(src, SPACE, b, end);
    if (sp < b) break;
    const c0 = src.charCodeAt(sp + 1);
    if (c0 === PLUS && src.charCodeAt(sp + 2) === 48 && src.charCodeAt(sp + 3) === 120) {
      offB = sp + 1;
      offE = end;
      end = sp;
    } else if (src.charCodeAt(sp + 3) === 61 && (c0 === 102 || c0 === 115 || c0 === 112)) {
      end = sp; // fp= sp= pc=
    } else break;
  }
  // `path:line` — the line number is the digits after the last colon.
  let i = end - 1;
  let line = 0;
  let mul = 1;
  while (i > b) {
    const c = src.charCodeAt(i);
    if (c < 48 || c > 57) break;
    line += (c - 48) * mul;
    mul *= 10;
    i--;
  }
  if (mul === 1 || i <= b || src.charCodeAt(i) !== COLON || mul > 1e9) return false;
  out.file = intern.string(src, b, i);
  out.line = line;
  out.offset = offB < 0 ? undefined : intern.string(src, offB, offE);
  return true;
}

/** A copy of `s` that does not keep a huge source text alive (a slice of it would). */
export function ownCopy(s: string): string {
  return ` ${s}`.slice(1);
}

/** Deduplicates substrings so repeated paths, names and offsets share one string. */
export class Interner {
  private readonly strings = new Map<string, string>();
  /** Recent ones, found without slicing (goroutine states repeat in every header). */
  private readonly recent = new LineCache<string>();
  string(src: string, b: number, e: number): string {
    const hit = this.recent.get(src, b, e);
    if (hit !== undefined) return hit;
    const s = src.slice(b, e);
    const own = this.strings.get(s) ?? ownCopy(s);
    this.strings.set(own, own);
    this.recent.set(own, own);
    return own;
  }
}

const BITS = 12;
const MASK = (1 << BITS) - 1;

/**
 * Direct-mapped cache keyed by the exact text of [b, e): a hash of the length and a few sampled
 * characters picks the slot and `startsWith` confirms, so a hit slices and allocates nothing.
 * Dumps repeat the same lines thousands of times; this is what makes them cheap.
 */
export class LineCache<T> {
  private readonly keys: Array<string | undefined> = new Array<string | undefined>(MASK + 1).fill(undefined);
  private readonly vals: Array<T | undefined> = new Array<T | undefined>(MASK + 1).fill(undefined);
  slot = 0;

  get(src: string, b: number, e: number): T | undefined {
    const n = e - b;
    let h = Math.imul(n, 0x9e3779b1);
    for (let k = 1; k <= 6 && k <= n; k++) h = Math.imul(h ^ src.charCodeAt(e - k), 0x01000193);
    h = Math.imul(h ^ src.charCodeAt(b + (n >> 1)), 0x01000193);
    h = Math.imul(h ^ src.charCodeAt(b + (n >> 2)), 0x01000193);
    h = Math.imul(h ^ src.charCodeAt(e - (n >> 3) - 1), 0x01000193);
    const slot = (h ^ (h >>> 16)) & MASK;
    this.slot = slot;
    const key = this.keys[slot];
    return key !== undefined && key.length === n && src.startsWith(key, b) ? this.vals[slot] : undefined;
  }

  /** Stores under the slot of the last `get`. */
  set(key: string, value: T): void {
    this.keys[this.slot] = key;
    this.vals[this.slot] = value;
  }
}

/**
 * The last four distinct values seen after something, most recent first, each with a value that
 * went with it. Dumps repeat a handful of call chains, so what follows a frame is nearly always
 * one of the last few things that did.
 */
export class Recent<T, U = never> {
  readonly items: T[] = [];
  /** What went with each item (`with[i]` belongs to `items[i]`). */
  readonly with: Array<U | undefined> = [];

  /** Puts `v` first, keeping the order of the others (the fourth drops out when `v` is new). */
  use(v: T): void {
    const items = this.items;
    if (items[0] === v) return;
    let i = items.indexOf(v);
    const w = i < 0 ? undefined : this.with[i];
    if (i < 0) i = items.length < 4 ? items.length : 3;
    for (; i > 0; i--) {
      items[i] = items[i - 1] as T;
      this.with[i] = this.with[i - 1];
    }
    items[0] = v;
    this.with[0] = w;
  }
}
