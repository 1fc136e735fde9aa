/**
 * Groups goroutines with alike stacks (panicparse's idea): `exact` compares arguments verbatim,
 * `any-pointer` treats pointer-like and stale (`?`) values as equal, `any-value` ignores
 * arguments. Goroutines are hashed without building strings, then compared exactly.
 */
import type { Frame, Goroutine, GoroutineBucket } from '../../core/model/failure.js';

export type BucketLevel = GoroutineBucket['level'];

const ZERO = 48;
const X = 120;
const QUESTION = 63;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * At a `0x` token starting at i: where it ends (past a trailing `?`) and whether any-pointer
 * ignores it (a pointer-like value of at least 512 KiB, panicparse's floor; or `?`: since Go 1.18 a stale register, different in every
 * goroutine of the same stack). Returns -end for tokens that must match verbatim.
 */
function token(args: string, i: number): number {
  let j = i + 2;
  const n = args.length;
  // Bounds checked before every read: reading past the end would deoptimise the hot loop.
  while (j < n) {
    const c = args.charCodeAt(j);
    if ((c < 48 || c > 57) && (c < 97 || c > 102) && (c < 65 || c > 70)) break;
    j++;
  }
  const digits = j - i - 2;
  if (digits === 0) return -(i + 1);
  if (j < n && args.charCodeAt(j) === QUESTION) return j + 1;
  // At least 0x80000 (the floor) without parsing: more than 5 digits, or 5 from `8` up (no leading zeros printed).
  const pointer = digits > 5 || (digits === 5 && hexValue(args.charCodeAt(i + 2)) >= 8);
  return pointer ? j : -j;
}

function isTokenStart(args: string, i: number): boolean {
  return i + 1 < args.length && args.charCodeAt(i) === ZERO && args.charCodeAt(i + 1) === X;
}

/** The argument text with ignorable values replaced by `*` (for display and tests). */
export function anyPointerArgs(args: string): string {
  let out = '';
  let i = 0;
  while (i < args.length) {
    const end = isTokenStart(args, i) ? token(args, i) : 0;
    if (end > 0) {
      out += '*';
      i = end;
    } else {
      const stop = end < 0 ? -end : i + 1;
      out += args.slice(i, stop);
      i = stop;
    }
  }
  return out;
}

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

/** Adds a run of `n` frames whose arguments hash to `v` (two independent ways, with fold2). */
function fold(acc: number, v: number, n: number): number {
  const x = Math.imul(acc ^ v, 0x5bd1e995) ^ n;
  return x ^ (x >>> 15);
}

function fold2(acc: number, v: number, n: number): number {
  return Math.imul(acc ^ v ^ (n << 24), 0x01000193) + n;
}

/** Second hash of the last `argsHash` call: with the first, 64 bits that stand for the arguments at a level. */
let argsHash2 = 0;

/**
 * Two independent hashes of the arguments as the level sees them (ignored values hash as `*`).
 * Comparing arguments by hashes instead of re-scanning them keeps bucketing one pass; two
 * different stacks' arguments colliding on all 64 bits of the folded hashes is not a practical risk.
 */
function argsHash(args: string | undefined, level: BucketLevel): number {
  if (args === undefined || level === 'any-value') {
    argsHash2 = 1;
    return 1;
  }
  const anyPointer = level === 'any-pointer';
  let h = 0x811c9dc5;
  let g = 0x2545f491;
  for (let i = 0; i < args.length; i++) {
    let c = args.charCodeAt(i);
    if (anyPointer && c === ZERO && isTokenStart(args, i)) {
      const end = token(args, i);
      if (end > 0) {
        c = 42;
        i = end - 1;
      }
    }
    h = mix(h, c);
    g = Math.imul(g ^ c, 0x5bd1e995) ^ (g >>> 13);
  }
  argsHash2 = g;
  return h;
}

/** Same state, creator and frame locations (names and files are shared strings: mostly identity checks). */
function sameShape(a: Goroutine, b: Goroutine): boolean {
  if (a.state !== b.state || a.lockedToThread !== b.lockedToThread || a.frames.length !== b.frames.length) {
    return false;
  }
  if (a.createdBy?.function !== b.createdBy?.function) return false;
  for (let i = 0; i < a.frames.length; i++) {
    const fa = a.frames[i];
    const fb = b.frames[i];
    if (fa === fb) continue;
    if (fa === undefined || fb === undefined) return false;
    if (fa.function !== fb.function || fa.file !== fb.file || fa.line !== fb.line) return false;
  }
  return true;
}

/** Small integer ids of strings (names and files repeat; their hashes are cached by the engine). */
class Ids {
  private readonly map = new Map<string, number>();
  of(s: string): number {
    let id = this.map.get(s);
    if (id === undefined) {
      id = this.map.size + 1;
      this.map.set(s, id);
    }
    return id;
  }
}

interface Group {
  ids: number[];
  first: Goroutine;
  /** The arguments of all of `first`'s frames at the level, as two independent 32-bit hashes. */
  a1: number;
  a2: number;
}

export function bucketGoroutines(goroutines: Goroutine[], level: BucketLevel): GoroutineBucket[] {
  const ids = new Ids();
  const groups = new Map<number, Group[]>();
  const order: Group[] = [];
  let hashed = false;
  let lastArgs: string | undefined;
  let lastA = 0;
  let lastA2 = 0;
  for (const g of goroutines) {
    const frames = g.frames;
    // Arguments: the frames' two hashes folded, run by run (frames mostly repeat the previous
    // frame's arguments), into two 32-bit sums: 64 bits that stand for the whole stack's arguments.
    let a1 = 0x2545f491;
    let a2 = 0x811c9dc5;
    let run = 0;
    // The index: state, creator, the functions at both ends and every frame's line. Equal stacks
    // index alike; unequal ones that collide are told apart by sameShape.
    const last = frames[frames.length - 1];
    let h = mix(
      mix(
        mix(ids.of(g.state), g.lockedToThread ? 1 : 2),
        g.createdBy === undefined ? 3 : ids.of(g.createdBy.function),
      ),
      last === undefined ? 0 : ids.of(last.function) + ids.of((frames[0] as Frame).function) * 7919,
    );
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i] as Frame;
      const args = f.args;
      if (!hashed || args !== lastArgs) {
        if (run > 0) {
          a1 = fold(a1, lastA, run);
          a2 = fold2(a2, lastA2, run);
          run = 0;
        }
        lastA = argsHash(args, level);
        lastA2 = argsHash2;
        lastArgs = args;
        hashed = true;
      }
      run++;
      // Shifts and xors only: no calls, no numbers outside 32 bits (cheap before the code is compiled).
      h ^= f.line;
      h ^= h << 13;
      h ^= h >>> 17;
      h ^= h << 5;
    }
    if (run > 0) {
      a1 = fold(a1, lastA, run);
      a2 = fold2(a2, lastA2, run);
    }
    h = mix(h, a1);
    let list = groups.get(h);
    if (list === undefined) {
      list = [];
      groups.set(h, list);
    }
    let group: Group | undefined;
    for (const x of list) {
      if (x.a1 === a1 && x.a2 === a2 && sameShape(x.first, g)) {
        group = x;
        break;
      }
    }
    if (group !== undefined) group.ids.push(g.id);
    else {
      const made = { ids: [g.id], first: g, a1, a2 };
      list.push(made);
      order.push(made);
    }
  }
  // Biggest groups first (in a leak they are the story); ties keep the order of the dump.
  return order
    .map(({ ids, first }) => ({ level, ids, state: first.state, frames: first.frames }))
    .sort((a, b) => b.ids.length - a.ids.length);
}
