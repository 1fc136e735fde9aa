/**
 * Groups goroutines with alike stacks (panicparse's idea): `exact` compares arguments verbatim,
 * `any-pointer` treats pointer-like and stale (`?`) values as equal, `any-value` ignores
 * arguments. Goroutines are indexed by hashes of their frames and argument ids, then compared.
 */
import type { Frame, Goroutine, GoroutineBucket } from '../../core/model/failure.js';

export type BucketLevel = GoroutineBucket['level'];

/**
 * What any-pointer ignores in arguments: pointer-like values (at least 0x80000, 512 KiB,
 * panicparse's floor; no leading zeros are printed, so six digits or more, or five from `8` up)
 * and, since Go 1.18, stale register values printed with `?` (different in every goroutine of the
 * same stack). The regular expression runs as native code, even in a fresh process.
 */
const IGNORED = /0x[0-9a-fA-F]+\?|0x[0-9a-fA-F]{6,}|0x[89a-fA-F][0-9a-fA-F]{4}(?![0-9a-fA-F])/g;

/** Arguments as the level compares them: ignored values as `*`; undefined when it ignores them all. */
export function argsAtLevel(args: string | undefined, level: BucketLevel): string | undefined {
  if (args === undefined || level === 'any-value') return undefined;
  return level === 'any-pointer' ? args.replace(IGNORED, '*') : args;
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

/**
 * Small ids of argument lists as a level compares them (0: compared as absent), remembering the
 * last two strings by identity: the frames of a goroutine mostly print one of two texts (a
 * pointer passed down, a stale register), and the parser gives a text repeated in a goroutine
 * one string. Ids are exact: equal ids, equal arguments at the level.
 */
class ArgsIds {
  private readonly ids = new Ids();
  private recent: string | undefined;
  private recentId = -1;
  private older: string | undefined;
  private olderId = -1;

  /** Ids of texts asked for again and again (a recorded goroutine's arguments), by text. */
  private readonly known = new Map<string | undefined, number>();

  constructor(private readonly level: BucketLevel) {}

  /** The id of a text that recurs: looked up, not compared at the level again. */
  ofKnown(args: string | undefined): number {
    let id = this.known.get(args);
    if (id === undefined) {
      id = this.atLevel(args);
      this.known.set(args, id);
    }
    return id;
  }

  private atLevel(args: string | undefined): number {
    const seen = argsAtLevel(args, this.level);
    return seen === undefined ? 0 : this.ids.of(seen);
  }

  of(args: string | undefined): number {
    if (this.recentId >= 0 && args === this.recent) return this.recentId;
    let id = this.olderId >= 0 && args === this.older ? this.olderId : -1;
    if (id < 0) id = this.atLevel(args);
    this.older = this.recent;
    this.olderId = this.recentId;
    this.recent = args;
    this.recentId = id;
    return id;
  }
}

interface Group {
  ids: number[];
  first: Goroutine;
  /** The arguments of all of `first`'s frames at the level: their ids folded two independent ways. */
  a1: number;
  a2: number;
}

/**
 * Hashes goroutines for grouping, one call per goroutine (a function called per goroutine is
 * compiled early; a loop body waits in the interpreter until the whole loop is).
 */
class StackHasher {
  private readonly ids = new Ids();
  readonly args: ArgsIds;
  private hashed = false;
  private lastArgs: string | undefined;
  private lastId = 0;
  /** The arguments of the last goroutine hashed, as two independent 32-bit hashes. */
  a1 = 0;
  a2 = 0;

  constructor(level: BucketLevel) {
    this.args = new ArgsIds(level);
  }

  /**
   * The index of g's group: state, creator, the functions at both ends, every frame's line and the
   * arguments. Equal stacks index alike; unequal ones that collide are told apart by sameShape.
   */
  hash(g: Goroutine): number {
    const ids = this.ids;
    const frames = g.frames;
    // Arguments: the frames' ids folded two ways, run by run (frames mostly repeat the previous
    // frame's arguments), into 64 bits that stand for the whole stack's arguments.
    let a1 = 0x2545f491;
    let a2 = 0x811c9dc5;
    let run = 0;
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
      if (!this.hashed || args !== this.lastArgs) {
        if (run > 0) {
          a1 = fold(a1, this.lastId, run);
          a2 = fold2(a2, this.lastId, run);
          run = 0;
        }
        this.lastId = this.args.of(args);
        this.lastArgs = args;
        this.hashed = true;
      }
      run++;
      // Shifts and xors only: no calls, no numbers outside 32 bits (cheap before the code is compiled).
      h ^= f.line;
      h ^= h << 13;
      h ^= h >>> 17;
      h ^= h << 5;
    }
    if (run > 0) {
      a1 = fold(a1, this.lastId, run);
      a2 = fold2(a2, this.lastId, run);
    }
    this.a1 = a1;
    this.a2 = a2;
    return mix(h, a1);
  }
}

/**
 * A goroutine known to repeat another one (`from`) frame for frame but for arguments, with the
 * argument texts it printed instead of `from`'s: `subs` holds pairs (from's text, its text), each
 * once. The goroutine replay reads it so. It is equal to `from` at a level when its state is and
 * each substitution is equal at the level: then it joins `from`'s group without being hashed.
 */
export interface Repeat {
  from: Goroutine;
  subs: readonly string[];
}

class Grouper {
  private readonly hasher: StackHasher;
  private readonly groups = new Map<number, Group[]>();
  readonly order: Group[] = [];

  constructor(level: BucketLevel) {
    this.hasher = new StackHasher(level);
  }

  /** The group of g, found by hashing its stack (made when there is none). */
  place(g: Goroutine): Group {
    const hasher = this.hasher;
    const h = hasher.hash(g);
    const a1 = hasher.a1;
    const a2 = hasher.a2;
    let list = this.groups.get(h);
    if (list === undefined) {
      list = [];
      this.groups.set(h, list);
    }
    for (const x of list) {
      if (x.a1 === a1 && x.a2 === a2 && sameShape(x.first, g)) {
        x.ids.push(g.id);
        return x;
      }
    }
    const made = { ids: [g.id], first: g, a1, a2 };
    list.push(made);
    this.order.push(made);
    return made;
  }

  /** Whether g, repeating r.from, is equal to it at the level. */
  repeats(g: Goroutine, r: Repeat): boolean {
    const from = r.from;
    if (g.state !== from.state || g.lockedToThread !== from.lockedToThread) return false;
    const args = this.hasher.args;
    const subs = r.subs;
    for (let i = 0; i < subs.length; i += 2) {
      if (args.of(subs[i + 1]) !== args.ofKnown(subs[i])) return false;
    }
    return true;
  }
}

export function bucketGoroutines(
  goroutines: Goroutine[],
  level: BucketLevel,
  repeats?: ReadonlyMap<Goroutine, Repeat>,
): GoroutineBucket[] {
  const grouper = new Grouper(level);
  // The group of each goroutine others were replayed from, once one of them was placed.
  const groupOf = new Map<Goroutine, Group>();
  for (const g of goroutines) {
    const r = repeats?.get(g);
    if (r === undefined || !grouper.repeats(g, r)) {
      grouper.place(g);
      continue;
    }
    const group = groupOf.get(r.from);
    if (group !== undefined) group.ids.push(g.id);
    else groupOf.set(r.from, grouper.place(g));
  }
  // Biggest groups first (in a leak they are the story); ties keep the order of the dump.
  return grouper.order
    .map(({ ids, first }) => ({ level, ids, state: first.state, frames: first.frames }))
    .sort((a, b) => b.ids.length - a.ids.length);
}
