/** Recognisers for single traceback lines: goroutine headers, register dumps, signal headers. */

import { find } from './scan.js';

const SPACE = 32;

export interface GoroutineHeader {
  id: number;
  state: string;
  waitMinutes: number | undefined;
  locked: boolean;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `goroutine ` at b and the id's 1 to 15 digits: sets `out.id`, returns where the digits end, or -1. */
function readId(s: string, b: number, e: number, out: GoroutineHeader): number {
  if (!s.startsWith('goroutine ', b)) return -1;
  let i = b + 10;
  let id = 0;
  while (i < e && isDigit(s.charCodeAt(i))) {
    id = id * 10 + s.charCodeAt(i) - 48;
    i++;
  }
  if (i === b + 10 || i - b - 10 > 15) return -1;
  out.id = id;
  return i;
}

/**
 * `goroutine 7 [chan receive, 5 minutes, locked to thread]:` and the Go 1.23+ form
 * `goroutine 7 gp=0xc000007a40 m=3 mp=0xc000180008 [running]:`. Fills `out` and returns true
 * when [b, e) of s is one. `intern` shares the state strings.
 */
export function parseGoroutineHeader(
  s: string,
  b: number,
  e: number,
  out: GoroutineHeader,
  intern: (s: string, b: number, e: number) => string,
): boolean {
  const i = readId(s, b, e, out);
  if (i < 0 || s.charCodeAt(i) !== SPACE) return false;
  const open = find(s, '[', i, e);
  if (open < 0) return false;
  let close = e - 1;
  if (s.charCodeAt(close) === 58) close--;
  if (s.charCodeAt(close) !== 93 || close < open) return false;
  // The state ends at the first `, ` (attributes follow) or the closing bracket.
  let comma = find(s, ', ', open, close);
  if (comma < 0) comma = close;
  out.state = intern(s, open + 1, comma);
  out.waitMinutes = undefined;
  out.locked = false;
  let at = comma;
  while (at < close) {
    const start = at + 2;
    let end = find(s, ', ', start, close);
    if (end < 0) end = close;
    if (s.startsWith('locked to thread', start)) out.locked = true;
    else if (s.startsWith(' minutes', end - 8) || s.startsWith(' minute', end - 7)) {
      const n = Number.parseInt(s.slice(start, end), 10);
      if (Number.isFinite(n) && n >= 0) out.waitMinutes = n;
    }
    at = end;
  }
  return true;
}

/** Header texts after the id remembered at most: waits in minutes make a few hundred forms at worst. */
const MAX_HEADER_FORMS = 512;

/**
 * Goroutine headers, each form parsed once: a dump repeats a few (`[chan receive]:`,
 * `[select, 2 minutes]:`) under thousands of ids, so a header is its id and a lookup of the text
 * after it. What `parseGoroutineHeader` reads depends on that text alone once the id is 1 to 15
 * digits, so the lookup gives what parsing would.
 */
export class GoroutineHeaders {
  private readonly forms = new Map<string, Omit<GoroutineHeader, 'id'>>();

  /** `intern` shares the state strings, as for `parseGoroutineHeader`. */
  constructor(private readonly intern: (s: string, b: number, e: number) => string) {}

  /** Fills `out` and returns true when [b, e) of s is a goroutine header. */
  read(s: string, b: number, e: number, out: GoroutineHeader): boolean {
    const i = readId(s, b, e, out);
    if (i < 0 || i >= e) return false;
    const rest = s.slice(i, e);
    const form = this.forms.get(rest);
    if (form === undefined) {
      if (!parseGoroutineHeader(s, b, e, out, this.intern)) return false;
      if (this.forms.size < MAX_HEADER_FORMS)
        this.forms.set(rest, { state: out.state, waitMinutes: out.waitMinutes, locked: out.locked });
      return true;
    }
    out.state = form.state;
    out.waitMinutes = form.waitMinutes;
    out.locked = form.locked;
    return true;
  }
}

/** `rax    0x0`, `rflags 0x246`, `r10    0x7ffd...`: registers printed by GOTRACEBACK=crash and signal dumps. */
export function isRegisterLine(s: string, b: number, e: number): boolean {
  let i = b;
  while (i < e && i - b < 7) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || isDigit(c))) break;
    i++;
  }
  if (i === b || s.charCodeAt(i) !== SPACE) return false;
  while (s.charCodeAt(i) === SPACE) i++;
  if (!s.startsWith('0x', i)) return false;
  return find(s, ' ', i, e) < 0;
}

/** `SIGQUIT: quit`, `SIGSEGV: segmentation violation`: the first line of a signal dump. Returns the name. */
export function signalHeaderName(s: string, b: number, e: number): string | undefined {
  if (!s.startsWith('SIG', b)) return undefined;
  const colon = find(s, ': ', b, Math.min(e, b + 14));
  if (colon < 0) return undefined;
  for (let i = b + 3; i < colon; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || isDigit(c))) return undefined;
  }
  return s.slice(b, colon);
}

/** Parses `created by F in goroutine N` (Go 1.21+) or `created by F`. */
export function parseCreatedBy(text: string): { function: string; parentId: number | undefined } {
  const rest = text.slice(11);
  const at = rest.lastIndexOf(' in goroutine ');
  if (at < 0) return { function: rest, parentId: undefined };
  const id = Number.parseInt(rest.slice(at + 14), 10);
  return { function: rest.slice(0, at), parentId: Number.isFinite(id) && id >= 0 ? id : undefined };
}

/** The 18 `=` the race detector prints around each report. */
export function isRaceSeparator(s: string, b: number, e: number): boolean {
  return e - b >= 18 && s.startsWith('==================', b);
}
