/**
 * Replays goroutine blocks the stack reader has read before. A big dump prints a few dozen stacks
 * thousands of times, each copy differing only in argument values (pointers, stale registers).
 * The stack reader records each goroutine it parsed line by line as a path of fixed text pieces,
 * the text between one argument list and the next, in a trie kept for the whole parse; a later
 * goroutine that spells out one path is read by comparing pieces (whole slices) and slicing its
 * arguments: a few native string calls per frame instead of parsing two lines. This is most of
 * what speeds up the first parse in a fresh process, while the engine still interprets the parser.
 *
 * It replays exactly what the line parser gives for the same text or nothing: a block that
 * leaves the trie anywhere is parsed line by line from its start, as if there were no trie.
 */
import type { Frame, Goroutine } from '../../core/model/failure.js';
import type { Repeat } from './buckets.js';

const LF = 10;
const TAB = 9;
const CR = 13;
const LPAREN = 40;
const RPAREN = 41;
/** Paths branching wider than this at one point are not recorded: each replay tries every branch. */
const MAX_BRANCHES = 32;

/** The goroutine whose path ends at a step, as recorded (its frames, elision and creator, parsed). */
interface Ending {
  /** The goroutine itself. */
  from: Goroutine;
  /** Lines of the goroutine's stack (every frame's two, then elision and `created by`). */
  lines: number;
  /** Characters of its last line, with the newline (within the last step's text). */
  lastLine: number;
}

interface Step {
  /**
   * Fixed text: from the goroutine's first line or an argument list's closing `)` up to the next
   * argument list (ending in `(`), or through the goroutine's last line (ending in a newline).
   */
  text: string;
  /** The steps recorded after this one. */
  next: Branches;
  /** Set on a goroutine's last step. */
  end: Ending | undefined;
}

/**
 * The first index at which a and b differ (the shorter one's length when one starts the other),
 * by halving the length of a shared prefix compared whole: a few native comparisons instead of a
 * loop per character the engine would compile for a function run only while recording.
 */
function firstDifference(a: string, b: string): number {
  let lo = 0; // a and b agree before lo
  let hi = Math.min(a.length, b.length); // and the answer is at most hi
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The steps that may come next at one point, indexed by the first character in which they differ
 * (after a long shared prefix: the path of a file, then its line number), so that a replay
 * compares the text with one or two of them instead of each.
 */
class Branches {
  readonly all: Step[] = [];
  /** Where the steps first differ, from their start; -1 while there is at most one. */
  private at = -1;
  /** The steps by their character at `at` (modulo 128: a shared slot only costs a comparison). */
  private readonly by: (Step[] | undefined)[] = [];
  /** Steps too short to have a character at `at`: candidates whatever the text holds there. */
  private loose: Step[] = [];

  /** The steps the text at p may spell, to be confirmed one by one. */
  candidates(text: string, p: number): Step[] {
    const at = this.at;
    if (at < 0) return this.all;
    return this.by[text.charCodeAt(p + at) & 127] ?? this.loose;
  }

  add(step: Step): void {
    const all = this.all;
    for (const other of all) {
      const k = firstDifference(other.text, step.text);
      if (this.at < 0 || k < this.at) this.at = k;
    }
    all.push(step);
    if (this.at < 0) return;
    const at = this.at;
    const by = this.by;
    const loose = all.filter((s) => s.text.length <= at);
    by.length = 0;
    this.loose = loose;
    // Only characters some step has get a slot; the others read as `loose`.
    for (const s of all) {
      if (s.text.length <= at) continue;
      const c = s.text.charCodeAt(at) & 127;
      let slot = by[c];
      if (slot === undefined) {
        slot = loose.slice();
        by[c] = slot;
      }
      slot.unshift(s);
    }
  }
}

/** Distinct substitutions a replayed goroutine may carry and still be grouped without hashing. */
const MAX_SUBSTITUTIONS = 4;

/** No substitutions: shared, never added to. */
const NONE: readonly string[] = [];

/**
 * `subs` with the pair (was, now) added unless there; undefined when that makes too many. A new
 * array sized for one pair first: most goroutines substitute one text (their own pointer).
 */
function substitute(subs: readonly string[], was: string, now: string): readonly string[] | undefined {
  if (subs === NONE) return [was, now];
  for (let i = 0; i < subs.length; i += 2) if (subs[i] === was && subs[i + 1] === now) return subs;
  if (subs.length === 2 * MAX_SUBSTITUTIONS) return undefined;
  return [...subs, was, now];
}

/** Makes a frame like `frame` but for its arguments (the frame factory's, so late path mapping sees it). */
export type WithArgs = (frame: Frame, args: string) => Frame;

/**
 * Lines the line reader passes on unchanged: a tab, a lowercase letter or the `.` of an elision.
 * Others may carry a log prefix that `Lines` strips, whose parse depends on more than the text.
 */
function plainLine(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c === TAB || c === 46) return true;
  if (c < 97 || c > 122) return false;
  return c !== 115 || !(text.startsWith('stdout ', at) || text.startsWith('stderr ', at));
}

export class StackReplay {
  private readonly roots = new Branches();
  /** Argument bounds of the block being replayed: start and end of each frame's, in order. */
  private readonly bounds: number[] = [];
  /** Lines the last successful `replay` took, and the length of the last one with its newline. */
  lines = 0;
  lastLine = 0;
  /**
   * What the last successful `replay` read: the recorded goroutine it repeats and the argument
   * texts it substitutes; undefined when it substitutes more than MAX_SUBSTITUTIONS distinct ones.
   */
  repeat: Repeat | undefined;

  /**
   * Reads the goroutine stack starting at `start` of `text` into `g` when it spells a recorded path
   * and a blank line follows it. Returns where that blank line starts, or -1 (g untouched).
   */
  replay(text: string, start: number, g: Goroutine, withArgs: WithArgs): number {
    const bounds = this.bounds;
    let steps = this.roots;
    let p = start;
    let n = 0;
    let end: Ending | undefined;
    for (;;) {
      let step: Step | undefined;
      const candidates = steps.candidates(text, p);
      for (let i = 0; i < candidates.length; i++) {
        const s = candidates[i] as Step;
        const t = s.text;
        // A slice compared whole (`startsWith` goes character by character, several times slower);
        // a last step must be followed by the blank line: a longer stack may share its text.
        if (
          text.slice(p, p + t.length) === t &&
          (s.end === undefined || text.charCodeAt(p + t.length) === LF)
        ) {
          step = s;
          break;
        }
      }
      if (step === undefined) return -1;
      p += step.text.length;
      end = step.end;
      if (end !== undefined) break;
      // An argument list: up to the end of the line (the next step's text starts with its `)`).
      const nl = text.indexOf('\n', p);
      const close = nl - 1;
      if (nl < 0) return -1;
      bounds[2 * n] = p;
      bounds[2 * n + 1] = close;
      n++;
      p = close;
      steps = step.next;
    }
    // The recorded frames, each replaced by a copy with this goroutine's arguments where they differ.
    const from = end.from;
    const frames = from.frames.slice();
    // Frames of one goroutine mostly print the same arguments (a pointer passed down, a stale
    // register): one string for each of the last two texts.
    let last = '';
    let before = '';
    // The substitutions (recorded text, this goroutine's), for grouping goroutines without hashing.
    let subs: readonly string[] | undefined = NONE;
    for (let k = 0; k < n; k++) {
      const recorded = frames[k] as Frame;
      const b = bounds[2 * k] as number;
      const e = bounds[2 * k + 1] as number;
      const same = recorded.args as string;
      if (e - b === same.length && text.startsWith(same, b)) continue;
      let args: string;
      if (last.length === e - b && text.startsWith(last, b)) args = last;
      else if (before.length === e - b && text.startsWith(before, b)) args = before;
      else {
        args = text.slice(b, e);
        // With a `(` in it, the line parser would read a different function name.
        if (args.includes('(')) return -1;
      }
      if (args !== last) {
        before = last;
        last = args;
      }
      if (subs !== undefined) subs = substitute(subs, same, args);
      frames[k] = withArgs(recorded, args);
    }
    g.frames = frames;
    g.framesElided = from.framesElided;
    g.stackUnavailable = from.stackUnavailable;
    g.createdBy = from.createdBy;
    this.lines = end.lines;
    this.lastLine = end.lastLine;
    this.repeat = subs === undefined ? undefined : { from, subs };
    return p;
  }

  /**
   * Records the goroutine `g` the line parser read from [start, end) of `text` (`end`: where the
   * blank line after it starts). Nothing is recorded unless every line is one the line parser read
   * as is: a function line `name(args)` and its tab-led file line per frame, then the tail lines.
   */
  record(text: string, start: number, end: number, g: Goroutine): void {
    const pieces: string[] = [];
    let from = start;
    let p = start;
    for (const frame of g.frames) {
      const args = frame.args;
      if (args === undefined || args.includes('(') || !plainLine(text, p)) return;
      const nl = text.indexOf('\n', p);
      const close = nl - 1;
      const open = close - args.length - 1;
      if (nl < 0 || nl >= end || open < p || text.charCodeAt(close) !== RPAREN) return;
      if (text.charCodeAt(open) !== LPAREN || !text.startsWith(args, open + 1)) return;
      pieces.push(text.slice(from, open + 1));
      from = close;
      // Its file line.
      const fl = nl + 1;
      p = text.indexOf('\n', fl) + 1;
      if (text.charCodeAt(fl) !== TAB || p <= 0 || p > end || text.charCodeAt(p - 2) === CR) return;
    }
    let lines = 2 * g.frames.length;
    for (; p < end; lines++) {
      const nl = text.indexOf('\n', p);
      if (!plainLine(text, p) || nl < 0 || nl >= end || text.charCodeAt(nl - 1) === CR) return;
      p = nl + 1;
    }
    if (p !== end || from === end) return;
    pieces.push(text.slice(from, end));
    this.insert(pieces, g, lines, end - (text.lastIndexOf('\n', end - 2) + 1));
  }

  private insert(pieces: string[], g: Goroutine, lines: number, lastLine: number): void {
    let steps = this.roots;
    for (let k = 0; k < pieces.length; k++) {
      const text = pieces[k] as string;
      const last = k === pieces.length - 1;
      let step = steps.all.find((s) => s.text === text && (s.end !== undefined) === last);
      if (step === undefined) {
        if (steps.all.length >= MAX_BRANCHES) return;
        step = {
          text,
          next: new Branches(),
          end: last ? { from: g, lines, lastLine } : undefined,
        };
        steps.add(step);
      }
      steps = step.next;
    }
  }
}
