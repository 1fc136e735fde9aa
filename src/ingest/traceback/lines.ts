/**
 * Line reader over a log stream: yields each line's content bounds with log-pipeline prefixes
 * (timestamps, CRI stream tags, syslog headers, `kubectl --prefix`, compose-style sticky prefixes)
 * stripped, without copying the line. Hand-written matchers: no regular expressions, no backtracking.
 */

import { find } from './scan.js';

const CR = 13;
const SPACE = 32;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index after `n` digits at i, or -1. */
function digits(s: string, i: number, n: number): number {
  for (let k = 0; k < n; k++) if (!isDigit(s.charCodeAt(i + k))) return -1;
  return i + n;
}

/** `HH:MM:SS(.frac)?` at i; index after it or -1. */
function clock(s: string, i: number): number {
  if (digits(s, i, 2) < 0 || s.charCodeAt(i + 2) !== 58 || digits(s, i + 3, 2) < 0) return -1;
  if (s.charCodeAt(i + 5) !== 58 || digits(s, i + 6, 2) < 0) return -1;
  let j = i + 8;
  if (s.charCodeAt(j) === 46 || s.charCodeAt(j) === 44) {
    j++;
    while (isDigit(s.charCodeAt(j))) j++;
  }
  return j;
}

/**
 * A leading timestamp (`2024-01-02T03:04:05.123Z`, `2024-01-02 03:04:05,123 +0000`, Go's log
 * `2024/01/02 03:04:05`) followed by a space; index after the space or -1.
 */
function timestamp(s: string, i: number, e: number): number {
  if (e - i < 20 || digits(s, i, 4) < 0) return -1;
  const sep = s.charCodeAt(i + 4);
  if ((sep !== 45 && sep !== 47) || digits(s, i + 5, 2) < 0 || s.charCodeAt(i + 7) !== sep) return -1;
  if (digits(s, i + 8, 2) < 0) return -1;
  const t = s.charCodeAt(i + 10);
  if (t !== 84 && t !== SPACE) return -1;
  let j = clock(s, i + 11);
  if (j < 0) return -1;
  let c = s.charCodeAt(j);
  if (c === 90) j++;
  else if (c === 43 || c === 45) {
    j = digits(s, j + 1, 2);
    if (j < 0) return -1;
    if (s.charCodeAt(j) === 58) j++;
    if (digits(s, j, 2) > 0) j += 2;
  } else if (c === SPACE && (s.charCodeAt(j + 1) === 43 || s.charCodeAt(j + 1) === 45)) {
    // `... 03:04:05 +0000 ` (zone after a space)
    const z = digits(s, j + 2, 4);
    if (z > 0 && s.charCodeAt(z) === SPACE) j = z;
  }
  c = s.charCodeAt(j);
  return c === SPACE ? j + 1 : -1;
}

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

/** `Jan  2 15:04:05 host prog[123]: ` (syslog / journalctl short); index after it or -1. */
function syslog(s: string, i: number, e: number): number {
  if (e - i < 20 || !MONTHS.has(s.slice(i, i + 3)) || s.charCodeAt(i + 3) !== SPACE) return -1;
  let j = i + 4;
  if (s.charCodeAt(j) === SPACE) j++;
  while (isDigit(s.charCodeAt(j))) j++;
  if (s.charCodeAt(j) !== SPACE) return -1;
  j = clock(s, j + 1);
  if (j < 0 || s.charCodeAt(j) !== SPACE) return -1;
  const host = find(s, ' ', j + 1, e);
  if (host < 0) return -1;
  const tag = find(s, ': ', host + 1, Math.min(e, host + 66));
  if (tag < 0) return -1;
  for (let k = host + 1; k < tag; k++) if (s.charCodeAt(k) === SPACE) return -1;
  return tag + 2;
}

/** `[pod/web-7d9/web] ` from `kubectl logs --prefix`; index after it or -1. */
function bracketed(s: string, i: number, e: number): number {
  const close = find(s, '] ', i, Math.min(e, i + 258));
  if (close < 0) return -1;
  let slash = false;
  for (let k = i + 1; k < close; k++) {
    const c = s.charCodeAt(k);
    if (c === SPACE) return -1;
    if (c === 47) slash = true;
  }
  return slash ? close + 2 : -1;
}

/** Strips known log prefixes at b; returns where the content starts. */
export function stripPrefixes(s: string, b: number, e: number): number {
  for (let round = 0; round < 4 && b < e; round++) {
    const c = s.charCodeAt(b);
    let n = -1;
    if (isDigit(c)) n = timestamp(s, b, e);
    else if (c === 91) n = bracketed(s, b, e);
    else if (c >= 65 && c <= 90) n = syslog(s, b, e);
    else if (c === 115 && (s.startsWith('stdout ', b) || s.startsWith('stderr ', b))) {
      // CRI log format: `<time> stderr F <line>` (P marks a partial line, joined by the reader).
      const tag = s.charCodeAt(b + 7);
      if ((tag === 70 || tag === 80) && s.charCodeAt(b + 8) === SPACE) n = b + 9;
    }
    if (n < 0) break;
    b = n;
  }
  return b;
}

/** One pass over the lines of a text. `src`, `b`, `e` and `no` describe the current line. */
export class Lines {
  src = '';
  b = 0;
  e = 0;
  /** 1-based line number in the artifact. */
  no = 0;
  /** Where the raw current line starts in `text`. */
  raw = 0;
  /** The current line is the last one and has no newline: it may have been cut. */
  partial = false;
  /** A prefix every line of this stream carries (compose `web-1  | `), learned by the parser. */
  sticky: string | undefined;
  private pos = 0;

  constructor(readonly text: string) {}

  next(): boolean {
    const text = this.text;
    if (this.pos >= text.length) return false;
    const start = this.pos;
    let end = text.indexOf('\n', start);
    this.partial = end < 0;
    if (end < 0) end = text.length;
    this.pos = end + 1;
    this.no++;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    this.src = text;
    this.raw = start;
    this.e = end;
    let b = start;
    const sticky = this.sticky;
    if (sticky !== undefined && text.startsWith(sticky, b)) b += sticky.length;
    const c = text.charCodeAt(b);
    // Fast path: stack lines start with a tab or a lowercase letter, which no prefix does, and a
    // blank line has nothing to strip.
    this.b = c === 9 || (c >= 97 && c <= 122 && c !== 115) || b === end ? b : stripPrefixes(text, b, end);
    if (this.b - 9 >= start && text.startsWith(' P ', this.b - 3) && isCriTag(text, this.b - 9))
      this.joinPartial();
    return true;
  }

  /**
   * Reads the next line when it is exactly `line` with nothing to strip (no prefix, no CR), as
   * `next` would, without scanning for its end: dumps repeat file lines, and the caller knows
   * which one it expects.
   */
  nextIs(line: string): boolean {
    const text = this.text;
    const pos = this.pos;
    const end = pos + line.length;
    // Only a tab-led line is never stripped, and one ending in CR would lose it in `next`.
    if (this.sticky !== undefined || text.charCodeAt(end) !== 10 || line.charCodeAt(0) !== 9) return false;
    if (line.charCodeAt(line.length - 1) === CR) return false;
    if (!text.startsWith(line, pos)) return false;
    this.src = text;
    this.raw = pos;
    this.b = pos;
    this.e = end;
    this.partial = false;
    this.pos = end + 1;
    this.no++;
    return true;
  }

  /** Where the line after the current one starts in `text`. */
  get nextStart(): number {
    return this.pos;
  }

  /**
   * Takes `count` lines of `text` at once, up to `end`, where the next line starts, the last of them
   * `lastLine` characters long with its newline: what `count` calls of `next` would leave, for
   * lines known to be plain (no prefix, no CR, not the last).
   */
  advance(end: number, count: number, lastLine: number): void {
    const text = this.text;
    this.src = text;
    this.raw = end - lastLine;
    this.b = this.raw;
    this.e = end - 1;
    this.partial = false;
    this.pos = end;
    this.no += count;
  }

  /** Content of the current line as a string (for rare paths only). */
  content(): string {
    return this.src.slice(this.b, this.e);
  }

  /** Raw text of the line after the current one, without consuming it. */
  peekRaw(): string | undefined {
    const text = this.text;
    if (this.pos >= text.length) return undefined;
    let end = text.indexOf('\n', this.pos);
    if (end < 0) end = text.length;
    return text.slice(this.pos, end);
  }

  /**
   * Learns a constant prefix (compose `web-1  | `) from a line holding one of `anchors` further
   * in, when the next line starts with the same text up to a space. Moves `b` to the anchor.
   */
  learnPrefix(anchors: readonly string[]): boolean {
    const s = this.src;
    if (s !== this.text) return false;
    for (const anchor of anchors) {
      const p = find(s, anchor, this.b + 1, this.e);
      if (p < 0) continue;
      const next = this.peekRaw();
      if (next === undefined) return false;
      let k = 0;
      const max = Math.min(p - this.raw, next.length, 160);
      while (k < max && s.charCodeAt(this.raw + k) === next.charCodeAt(k)) k++;
      while (k > 0 && s.charCodeAt(this.raw + k - 1) !== SPACE) k--;
      if (k === 0 || stripPrefixes(s, this.raw + k, this.e) !== p) continue;
      this.sticky = s.slice(this.raw, this.raw + k);
      this.b = p;
      return true;
    }
    return false;
  }

  /** Replaces the current line's content (an unwrapped JSON log field). */
  replace(src: string): void {
    this.src = src;
    this.e = src.endsWith('\n') ? src.length - 1 : src.length;
    this.b = stripPrefixes(src, 0, this.e);
  }

  /** Joins CRI partial records (`P`) with the following ones up to the final (`F`) record. */
  private joinPartial(): void {
    let joined = this.text.slice(this.b, this.e);
    for (let guard = 0; guard < 1024; guard++) {
      const next = this.peekRaw();
      if (next === undefined) break;
      const at = stripPrefixes(next, 0, next.length);
      if (at < 9 || !isCriTag(next, at - 9)) break;
      this.next0();
      joined += next.slice(at, next.endsWith('\r') ? next.length - 1 : next.length);
      if (next.charCodeAt(at - 2) === 70) break;
    }
    this.src = joined;
    this.b = 0;
    this.e = joined.length;
  }

  private next0(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end + 1;
    this.no++;
  }
}

function isCriTag(s: string, i: number): boolean {
  return (s.startsWith('stdout ', i) || s.startsWith('stderr ', i)) && s.charCodeAt(i + 8) === SPACE;
}
