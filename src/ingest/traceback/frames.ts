/** Turns a traceback's function line and file line into a Frame, predicting repeated lines so big dumps stay cheap. */
import type { Frame } from '../../core/model/failure.js';
import { type FileLine, Interner, LineCache, ownCopy, parseFileLine, Recent } from './file-line.js';
import { type FuncInfo, type Loc, type PathMapper, parseFunctionName } from './paths.js';
import { findLast } from './scan.js';

const SPACE = 32;
const LPAREN = 40;
const RPAREN = 41;

/** Letters, digits, `_` and non-ASCII letters start import paths and function names. */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

export interface FileEntry {
  /** The file line's exact text. */
  key: string;
  /**
   * The function lines that followed it lately, the last one first, each with the file line that
   * followed that function line then: the caller's place depends on the callee's, so this pair
   * predicts both lines of the next frame (dumps repeat call chains).
   */
  next: Recent<FuncInfo, FileEntry>;
  file: string;
  line: number;
  offset: string | undefined;
  /** The last function seen with this file line, its classification and (for shared arguments) its frame. */
  info: FuncInfo | undefined;
  loc: Loc | undefined;
  args: string | undefined;
  frame: Frame | undefined;
}

/**
 * Builds frames. Function names and files are parsed and classified once per distinct value; a
 * function line and file line seen before give the very same Frame object back.
 */
export class FrameFactory {
  readonly intern = new Interner();
  private readonly funcs = new Map<string, FuncInfo>();
  private readonly names = new LineCache<FuncInfo>();
  private readonly fileLines = new LineCache<FileEntry>();
  private readonly fileLine: FileLine = { file: '', line: 0, offset: undefined };
  /** Application frames with absolute paths seen before the repository root was known. */
  private readonly pending = new Set<Frame>();
  /** The file line of the last frame: predicts the next function line. */
  private prev: FileEntry | undefined;
  /** `prev` when the last function line was put first in its `next`: the file line paired there comes next. */
  private owner: FileEntry | undefined;
  /** Results of the last `funcLine`. */
  fnInfo: FuncInfo | undefined;
  fnArgs: string | undefined;
  /** The arguments string came from the cache: identical text, identical string. */
  fnShared = false;

  constructor(private readonly mapper: PathMapper) {}

  /** Function info for `name` (as printed, without arguments). */
  func(name: string): FuncInfo {
    let info = this.funcs.get(name);
    if (info === undefined) {
      info = parseFunctionName(ownCopy(name));
      this.funcs.set(info.function, info);
    }
    return info;
  }

  /**
   * Splits a function line `pkg.F(args)` (or a bare name, as zap prints) in [b, e) into name
   * and arguments (fnInfo, fnArgs). False when the line cannot be a function line.
   */
  funcLine(src: string, b: number, e: number, bare = false): boolean {
    if (this.predictFunc(src, b, e)) return true;
    const ok = this.lookupFunc(src, b, e, bare);
    this.owner = undefined;
    if (ok && this.prev !== undefined && this.fnInfo !== undefined) {
      this.prev.next.use(this.fnInfo);
      this.owner = this.prev;
    }
    return ok;
  }

  /**
   * One of the function lines the previous file line was followed by lately: comparisons of the
   * name and of the arguments, no hashing. Dumps repeat call chains, so this usually hits.
   */
  predictFunc(src: string, b: number, e: number): boolean {
    const prev = this.prev;
    if (prev === undefined || src.charCodeAt(e - 1) !== RPAREN) return false;
    const items = prev.next.items;
    for (let k = 0; k < items.length; k++) {
      const p = items[k] as FuncInfo;
      const fn = p.function;
      const n = fn.length;
      // The characters around the name's end first: most misses differ there, before any call.
      if (src.charCodeAt(b + n) !== LPAREN || src.charCodeAt(b + n - 1) !== fn.charCodeAt(n - 1)) continue;
      if (!src.startsWith(fn, b)) continue;
      // Only when the lookup would find the same name: no `(` in the arguments (the search stops
      // at the name's own at the latest).
      if (src.lastIndexOf('(', e - 1) !== b + n) return false;
      if (k > 0) prev.next.use(p);
      this.owner = prev;
      this.fnInfo = p;
      this.takeArgs(p, src, b + n + 1, e - 1);
      return true;
    }
    return false;
  }

  private lookupFunc(src: string, b: number, e: number, bare: boolean): boolean {
    let nameEnd = e;
    let ab = -1;
    if (src.charCodeAt(e - 1) === RPAREN) {
      const lp = findLast(src, LPAREN, b, e - 1);
      // `(*T).M()` has its own parentheses; the argument list is the last `(`...`)` pair.
      if (lp > b) {
        nameEnd = lp;
        ab = lp + 1;
      }
    }
    // The runtime always prints an argument list; only logged stacks (zap) print bare names.
    if (nameEnd <= b || (ab < 0 && !bare)) return false;
    let info = this.names.get(src, b, nameEnd);
    if (info === undefined) {
      if (!isFunctionName(src, b, nameEnd)) return false;
      info = this.func(src.slice(b, nameEnd));
      this.names.set(info.function, info);
    }
    this.fnInfo = info;
    if (ab < 0) {
      this.fnArgs = undefined;
      this.fnShared = false;
    } else this.takeArgs(info, src, ab, e - 1);
    return true;
  }

  /** The argument text: the same string as last time for this function when it is the same text. */
  private takeArgs(info: FuncInfo, src: string, ab: number, ae: number): void {
    const last = info.lastArgs;
    const n = ae - ab;
    // Pointers differ in their last digits: comparing the last character first rejects most for free.
    if (
      last !== undefined &&
      n === last.length &&
      (n === 0 || src.charCodeAt(ae - 1) === last.charCodeAt(n - 1)) &&
      src.startsWith(last, ab)
    ) {
      this.fnArgs = last;
      this.fnShared = true;
    } else {
      // Frames of one goroutine mostly print the same arguments (a pointer passed down the
      // stack): the previous function line's string serves, instead of a new one per frame.
      const prev = this.fnArgs;
      const args =
        prev !== undefined &&
        prev !== last &&
        n === prev.length &&
        (n === 0 || src.charCodeAt(ae - 1) === prev.charCodeAt(n - 1)) &&
        src.startsWith(prev, ab)
          ? prev
          : ab === ae
            ? ''
            : src.slice(ab, ae);
      info.lastArgs = args;
      this.fnArgs = args;
      this.fnShared = false;
    }
  }

  /** A complete frame from a parsed function line and the file line in [b, e) of src. */
  frame(
    info: FuncInfo,
    args: string | undefined,
    shared: boolean,
    src: string,
    b: number,
    e: number,
  ): Frame | undefined {
    const fe = this.fileEntry(info, src, b, e);
    return fe === undefined ? undefined : this.frameAt(fe, info, args, shared);
  }

  /** The file line [b, e) of src after a function line of `info`: one it was followed by lately, or looked up. */
  fileEntry(info: FuncInfo, src: string, b: number, e: number): FileEntry | undefined {
    const owner = this.owner;
    const paired = this.pairedFile(info);
    this.owner = undefined;
    if (paired !== undefined && sameLine(paired.key, src, b, e)) return paired;
    let recent = info.nextFile as Recent<FileEntry> | undefined;
    if (recent === undefined) {
      recent = new Recent<FileEntry>();
      info.nextFile = recent;
    }
    const items = recent.items;
    let fe: FileEntry | undefined;
    for (let k = 0; k < items.length; k++) {
      const x = items[k] as FileEntry;
      if (sameLine(x.key, src, b, e)) {
        fe = x;
        break;
      }
    }
    fe ??= this.lookupFile(src, b, e);
    if (fe === undefined) return undefined;
    recent.use(fe);
    if (owner !== undefined && owner.next.items[0] === info) owner.next.with[0] = fe;
    return fe;
  }

  /** The file line that followed the function line just read (of `info`) last time, if known. */
  pairedFile(info: FuncInfo): FileEntry | undefined {
    const owner = this.owner;
    return owner !== undefined && owner.next.items[0] === info ? owner.next.with[0] : undefined;
  }

  /** The frame when the next line was found to be `pairedFile(info)`: what `frame` would make of it. */
  pairedFrame(fe: FileEntry, info: FuncInfo, args: string | undefined, shared: boolean): Frame {
    this.owner = undefined;
    return this.frameAt(fe, info, args, shared);
  }

  private lookupFile(src: string, b: number, e: number): FileEntry | undefined {
    const known = this.fileLines.get(src, b, e);
    if (known !== undefined) return known;
    const fl = this.fileLine;
    if (!parseFileLine(src, b, e, fl, this.intern)) return undefined;
    const key = src.slice(b, e);
    const fe: FileEntry = {
      key,
      next: new Recent<FuncInfo, FileEntry>(),
      ...fl,
      info: undefined,
      loc: undefined,
      args: undefined,
      frame: undefined,
    };
    this.fileLines.set(key, fe);
    return fe;
  }

  /**
   * What `frameAt` does to the prediction state and the repository mapping, for the frame of a
   * `created by` line, which is not kept (the goroutine records only its function and place).
   */
  creator(fe: FileEntry, info: FuncInfo): void {
    this.prev = fe;
    const loc = fe.info === info && fe.loc !== undefined ? fe.loc : this.mapper.locate(info, fe.file);
    fe.info = info;
    fe.loc = loc;
    fe.args = undefined;
    fe.frame = undefined;
  }

  /** The frame of function `info` at the file line `fe` (the same object as last time when nothing differs). */
  frameAt(fe: FileEntry, info: FuncInfo, args: string | undefined, shared: boolean): Frame {
    this.prev = fe;
    if (shared && fe.info === info && fe.args === args && fe.frame !== undefined) return fe.frame;
    const loc = fe.info === info && fe.loc !== undefined ? fe.loc : this.mapper.locate(info, fe.file);
    const frame: Frame = {
      function: info.function,
      package: info.package,
      receiver: info.receiver,
      name: info.name,
      file: fe.file,
      line: fe.line,
      repoFile: loc.repoFile,
      offset: fe.offset,
      args,
      // The runtime prints `(...)` for exactly the inlined calls.
      inlined: args === '...',
      kind: loc.kind,
    };
    fe.info = info;
    fe.loc = loc;
    fe.args = args;
    fe.frame = shared ? frame : undefined;
    if (loc.needsRoot) this.pending.add(frame);
    return frame;
  }

  /**
   * The frame the same function and file lines give with other arguments: a copy (one engine
   * operation for all fields) that waits for its repository path when the frame it copies does.
   */
  readonly withArgs = (frame: Frame, args: string): Frame => {
    const copy = { ...frame };
    copy.args = args;
    copy.inlined = args === '...';
    const pending = this.pending;
    if (pending.size > 0 && pending.has(frame)) pending.add(copy);
    return copy;
  };

  /** Maps the files of frames seen before the repository root was learned from a later frame. */
  finish(): void {
    for (const frame of this.pending) {
      const repoFile = this.mapper.late(frame.file);
      if (repoFile !== undefined) frame.repoFile = repoFile;
    }
    this.pending.clear();
  }
}

/** Whether [b, e) of src is `key`. File lines mostly differ in the line number and offset at their end: checked first. */
function sameLine(key: string, src: string, b: number, e: number): boolean {
  const n = key.length;
  return (
    n === e - b &&
    src.charCodeAt(e - 1) === key.charCodeAt(n - 1) &&
    (n < 4 || src.charCodeAt(e - 4) === key.charCodeAt(n - 4)) &&
    src.startsWith(key, b)
  );
}

/** A function name holds no spaces outside generic brackets (log lines do), no quotes, braces, `=` or `,`. */
function isFunctionName(src: string, b: number, e: number): boolean {
  if (!isNameStart(src.charCodeAt(b))) return false;
  let depth = 0;
  for (let i = b; i < e; i++) {
    const c = src.charCodeAt(i);
    if (c === 91) depth++;
    else if (c === 93) depth--;
    else if (depth > 0) continue;
    else if (c === SPACE || c === 34 || c === 39 || c === 123 || c === 125 || c === 61 || c === 44)
      return false;
    else if (c === LPAREN && src.charCodeAt(i + 1) !== 42) return false;
  }
  return true;
}
