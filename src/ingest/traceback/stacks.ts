/** Reads goroutine stacks line by line: headers, function and file lines, `created by`, elision. */
import type { Frame, Goroutine } from '../../core/model/failure.js';
import type { Repeat } from './buckets.js';
import type { FrameFactory } from './frames.js';
import type { Lines } from './lines.js';
import type { FuncInfo } from './paths.js';
import { StackReplay } from './replay.js';
import { find } from './scan.js';
import { type GoroutineHeader, GoroutineHeaders, parseCreatedBy } from './syntax.js';

const TAB = 9;
const LF = 10;

type Created = ReturnType<typeof parseCreatedBy>;

export class StackReader {
  /** The goroutine being read. */
  g: Goroutine | undefined;
  /** Number of the last line `read` took (0 when it took none). */
  taken = 0;
  private pendInfo: FuncInfo | undefined;
  private pendArgs: string | undefined;
  private pendShared = false;
  private pendCreated: Created | undefined;
  private lastCreated: { text: string; created: Created } | undefined;
  private readonly hdr: GoroutineHeader = { id: 0, state: '', waitMinutes: undefined, locked: false };
  private readonly headers: GoroutineHeaders;
  /** Goroutines read before, replayed when their text repeats (none for logged stacks). */
  private readonly replay: StackReplay | undefined;
  /** The goroutine `read` is parsing line by line, to be recorded if it ends there with a blank line. */
  private recording: Goroutine | undefined;
  /** Where its stack starts in the text. */
  private recordFrom = 0;
  /** Replayed goroutines: which recorded one each repeats (bucketing groups them without hashing). */
  readonly repeats = new Map<Goroutine, Repeat>();

  constructor(
    private readonly ff: FrameFactory,
    /** Logged stacks (zap) print function names without arguments. */
    private readonly bare: boolean,
    /** Replay repeated goroutines (tests turn it off to compare with the line parser alone). */
    replay = true,
  ) {
    this.headers = new GoroutineHeaders((s, b, e) => ff.intern.string(s, b, e));
    this.replay = replay && !bare ? new StackReplay() : undefined;
  }

  /** Whether a function or `created by` line is waiting for its file line (a cut frame at the end). */
  get pending(): boolean {
    return this.pendInfo !== undefined || this.pendCreated !== undefined;
  }

  /** Reads a `goroutine N [...]:` header; `open` then starts that goroutine. */
  isHeader(s: string, b: number, e: number): boolean {
    return this.headers.read(s, b, e, this.hdr);
  }

  open(into: Goroutine[]): void {
    this.close();
    const h = this.hdr;
    const g: Goroutine = {
      id: h.id,
      state: h.state,
      waitMinutes: h.waitMinutes,
      lockedToThread: h.locked,
      frames: [],
      framesElided: false,
      stackUnavailable: false,
      createdBy: undefined,
    };
    into.push(g);
    this.g = g;
  }

  /** A zap-style stack: frames without a header, the first function line already read. */
  openBare(into: Goroutine[]): void {
    const pending = { info: this.pendInfo, args: this.pendArgs, shared: this.pendShared };
    const h = this.hdr;
    h.id = 0;
    h.state = 'running';
    h.waitMinutes = undefined;
    h.locked = false;
    this.open(into);
    this.pendInfo = pending.info;
    this.pendArgs = pending.args;
    this.pendShared = pending.shared;
  }

  close(): void {
    this.g = undefined;
    this.pendInfo = undefined;
    this.pendCreated = undefined;
  }

  /** A line of the current goroutine's stack; false when it is not one. */
  line(s: string, b: number, e: number, c: number): boolean {
    const g = this.g;
    if (g === undefined) return false;
    if (c === TAB) {
      if (this.pendInfo !== undefined) return this.fileLine(s, b, e, g.frames);
      if (this.pendCreated !== undefined) return this.creatorLine(g, this.pendCreated, s, b, e);
      if (!s.startsWith('\tgoroutine running on other thread', b)) return false;
      g.stackUnavailable = true;
      return true;
    }
    // The common line first: the other forms never end in `)` and never pass as one.
    if (this.funcLine(s, b, e)) return true;
    if (c === 99 && s.startsWith('created by ', b)) {
      this.createdBy(s, b, e);
      return true;
    }
    if (c === 46 && s.startsWith('...', b) && find(s, 'elided', b, e) > 0) {
      g.framesElided = true;
      return true;
    }
    return false;
  }

  /**
   * The hot loop of goroutine dumps: takes the current line of `L` and the ones after it while
   * they are goroutine headers (opening a goroutine in `into`), lines of the open goroutine's
   * stack or blank lines, exactly as the parser would line by line. True when it stopped on a
   * line it did not take (still current); false when the input ended. The common lines are
   * dispatched here by their first character, so the engine compiles one loop early instead of
   * the parser's general dispatch once per caller.
   */
  read(L: Lines, into: Goroutine[]): boolean {
    this.taken = 0;
    const stopped = this.readLines(L, into);
    // A goroutine left to the parser's general dispatch may hold lines that are not its own.
    this.recording = undefined;
    return stopped;
  }

  private readLines(L: Lines, into: Goroutine[]): boolean {
    const ff = this.ff;
    for (;;) {
      const s = L.src;
      const b = L.b;
      const e = L.e;
      if (b < e) {
        const c = s.charCodeAt(b);
        const g = this.g;
        const info = this.pendInfo;
        if (c === TAB && g !== undefined && info !== undefined) {
          const fe = ff.fileEntry(info, s, b, e);
          if (fe === undefined) return true;
          g.frames.push(ff.frameAt(fe, info, this.pendArgs, this.pendShared));
          this.pendInfo = undefined;
        } else if (c === 123) {
          return true; // JSON: the parser unwraps it
        } else if (c !== TAB && g !== undefined && ff.predictFunc(s, b, e)) {
          const fn = ff.fnInfo as FuncInfo;
          this.pendCreated = undefined;
          // Its file line is usually the one that followed it last time: taken in the same step.
          const fe = ff.pairedFile(fn);
          if (fe !== undefined && L.nextIs(fe.key)) {
            this.pendInfo = undefined;
            g.frames.push(ff.pairedFrame(fe, fn, ff.fnArgs, ff.fnShared));
          } else {
            this.pendInfo = fn;
            this.pendArgs = ff.fnArgs;
            this.pendShared = ff.fnShared;
          }
        } else if (c === 103 && s.startsWith('goroutine ', b)) {
          // Never a stack line (a space before any `(`): a header or not ours.
          if (!this.isHeader(s, b, e)) return true;
          this.open(into);
          this.follow(L);
        } else if (!this.line(s, b, e, c)) return true;
        this.taken = L.no;
      } else {
        // A blank line ends the goroutine.
        const g = this.recording;
        if (g !== undefined && g === this.g && L.src === L.text && s.charCodeAt(L.raw) === LF)
          this.replay?.record(s, this.recordFrom, L.raw, g);
        this.close();
      }
      if (!L.next()) return false;
    }
  }

  /**
   * After a header: replays the goroutine's stack when its text repeats one read before (L then on
   * its last line), or has it read line by line and recorded.
   */
  private follow(L: Lines): void {
    const replay = this.replay;
    const g = this.g;
    this.recording = undefined;
    const text = L.text;
    // Lines as they are in the text: no prefixes (they would be stripped), no CR.
    if (replay === undefined || g === undefined || L.sticky !== undefined || L.src !== text) return;
    const start = L.nextStart;
    if (text.charCodeAt(start - 1) !== LF) return;
    const end = replay.replay(text, start, g, this.ff.withArgs);
    if (end >= 0) {
      L.advance(end, replay.lines, replay.lastLine);
      if (replay.repeat !== undefined) this.repeats.set(g, replay.repeat);
    } else {
      this.recording = g;
      this.recordFrom = start;
    }
  }

  /** `created by F in goroutine N`: the same text as the last one is not parsed again. */
  private createdBy(s: string, b: number, e: number): void {
    this.pendInfo = undefined;
    const last = this.lastCreated;
    if (last !== undefined && last.text.length === e - b && s.startsWith(last.text, b)) {
      this.pendCreated = last.created;
      return;
    }
    const text = s.slice(b, e);
    const created = parseCreatedBy(text);
    this.lastCreated = { text, created };
    this.pendCreated = created;
  }

  /** The file line of a `created by` line: where the goroutine was started. */
  private creatorLine(g: Goroutine, created: Created, s: string, b: number, e: number): boolean {
    const info = this.ff.func(created.function);
    const fe = this.ff.fileEntry(info, s, b, e);
    if (fe === undefined) return false;
    this.ff.creator(fe, info);
    g.createdBy = { function: info.function, file: fe.file, line: fe.line, parentId: created.parentId };
    this.pendCreated = undefined;
    return true;
  }

  /** A function line: remembered until its file line arrives. */
  funcLine(s: string, b: number, e: number): boolean {
    const ff = this.ff;
    if (!ff.funcLine(s, b, e, this.bare)) return false;
    this.pendInfo = ff.fnInfo;
    this.pendArgs = ff.fnArgs;
    this.pendShared = ff.fnShared;
    this.pendCreated = undefined;
    return true;
  }

  /** Function and file lines of a section without goroutine structure (`runtime stack:`). */
  frameLine(s: string, b: number, e: number, c: number, into: Frame[]): boolean {
    return c === TAB ? this.fileLine(s, b, e, into) : this.funcLine(s, b, e);
  }

  private fileLine(s: string, b: number, e: number, into: Frame[]): boolean {
    const info = this.pendInfo;
    if (info === undefined) return false;
    const frame = this.ff.frame(info, this.pendArgs, this.pendShared, s, b, e);
    if (frame === undefined) return false;
    this.pendInfo = undefined;
    into.push(frame);
    return true;
  }
}
