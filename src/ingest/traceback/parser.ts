/**
 * The single-pass, line-oriented state machine that finds every Go failure in a stream: panics,
 * fatal errors, signal and SIGQUIT dumps, bare goroutine dumps and race reports, tolerating
 * interleaved log lines, prefixes and truncation. Never throws on what it reads.
 */
import type { Failure } from '../../core/model/failure.js';
import type { BucketLevel } from './buckets.js';
import { FailureBuilder, type FailureKind } from './builder.js';
import type { FrameFactory } from './frames.js';
import { headerLine, panicDuringPanic } from './header.js';
import { Lines, stripPrefixes } from './lines.js';
import { RaceReader } from './race.js';
import { find } from './scan.js';
import { StackReader } from './stacks.js';
import { readJsonLine, readLogfmtLine, type StructuredLine } from './structured.js';
import { isRaceSeparator, isRegisterLine, signalHeaderName } from './syntax.js';

const TAB = 9;
/** Unrecognised lines tolerated inside a failure (interleaved logs) before it is considered over. */
const NOISE_LIMIT = 12;
const ANCHORS = [
  'panic: ',
  'fatal error: ',
  'goroutine ',
  'WARNING: DATA RACE',
  'SIGQUIT: ',
  'http: panic serving ',
];

enum Mode {
  Idle,
  Header,
  Goroutines,
  Race,
  RuntimeStack,
}

export interface ParserOptions {
  artifact: string;
  levels: readonly BucketLevel[];
  /** Nested stacks from log fields: frames may come without a goroutine header (zap). */
  bare?: boolean;
  /** How deep this parse is nested in log fields; stacks inside stacks inside stacks are not followed. */
  nesting?: number;
  /** Replay goroutines whose text repeats one read before (default); off, every line is parsed. */
  replay?: boolean;
}

export class Parser {
  private readonly out: Failure[] = [];
  private cur: FailureBuilder | undefined;
  private mode = Mode.Idle;
  private blankSeen = false;
  private noise = 0;
  private prefaceLine = 0;
  private raceSepLine = 0;
  private readonly race: RaceReader;
  private readonly stacks: StackReader;

  constructor(
    private readonly lines: Lines,
    private readonly ff: FrameFactory,
    private readonly opts: ParserOptions,
  ) {
    this.race = new RaceReader(ff);
    this.stacks = new StackReader(ff, opts.bare === true, opts.replay !== false);
  }

  run(): Failure[] {
    const L = this.lines;
    while (L.next()) {
      // Goroutine headers and stacks go to the stack reader's loop (`line` would pass them one by one).
      if (this.mode === Mode.Goroutines && this.cur !== undefined && !this.readStacks(this.cur)) break;
      this.line(0);
    }
    this.finish(true);
    return this.out;
  }

  /** True when the stack reader stopped on a line it did not take (still current); false at the end. */
  private readStacks(cur: FailureBuilder): boolean {
    const stopped = this.stacks.read(this.lines, cur.goroutines);
    if (this.stacks.taken > 0) {
      cur.endLine = this.stacks.taken;
      this.noise = 0;
    }
    return stopped;
  }

  private line(depth: number): void {
    const L = this.lines;
    const s = L.src;
    const b = L.b;
    const e = L.e;
    if (b >= e) {
      this.blank();
      return;
    }
    const c = s.charCodeAt(b);
    // Shippers wrap every line in JSON: unwrap before anything else reads it.
    if (c === 123 && depth < 3 && this.structured(s, b, e, c, depth)) return;
    let done = false;
    switch (this.mode) {
      case Mode.Goroutines:
        done = this.inGoroutines(s, b, e, c);
        break;
      case Mode.Header:
        done = this.inHeader(s, b, e, c);
        break;
      case Mode.Race:
        if (isRaceSeparator(s, b, e)) {
          this.good();
          this.finish(false);
          return;
        }
        done = this.race.line(s, b, e);
        if (done) this.good();
        break;
      case Mode.RuntimeStack:
        done = this.cur !== undefined && this.stacks.frameLine(s, b, e, c, this.cur.runtimeStack);
        if (done) this.good();
        break;
      default:
        break;
    }
    if (done || this.anchor(s, b, e, c)) return;
    if (c !== 123 && depth < 3 && this.structured(s, b, e, c, depth)) return;
    if (this.mode === Mode.Idle) {
      if (this.lines.learnPrefix(ANCHORS)) this.line(depth + 1);
      return;
    }
    if (++this.noise > NOISE_LIMIT) this.finish(false);
  }

  private blank(): void {
    switch (this.mode) {
      case Mode.Goroutines:
        this.stacks.close();
        break;
      case Mode.Header:
        this.blankSeen = true;
        break;
      case Mode.RuntimeStack:
        this.stacks.close();
        this.mode = Mode.Header;
        break;
      default:
        break;
    }
  }

  private good(): void {
    if (this.cur !== undefined) this.cur.endLine = this.lines.no;
    this.noise = 0;
  }

  /** Lines that start a failure (finishing the current one) or a preface to one. */
  private anchor(s: string, b: number, e: number, c: number): boolean {
    if (c === 112 && s.startsWith('panic: ', b)) {
      const cur = this.start('panic');
      cur.addPanic(s.slice(b + 7, e));
      if (e - b === 25 && s.startsWith('panic during panic', b + 7)) panicDuringPanic(cur);
      this.mode = Mode.Header;
    } else if (c === 102 && s.startsWith('fatal error: ', b)) {
      this.start('fatal', this.prefaceLine).fatal = s.slice(b + 13, e);
      this.mode = Mode.Header;
    } else if (c === 87 && s.startsWith('WARNING: DATA RACE', b)) {
      this.start('race', this.raceSepLine === this.lines.no - 1 ? this.raceSepLine : 0);
      this.race.reset();
      this.mode = Mode.Race;
    } else if (c === 103 && this.stacks.isHeader(s, b, e)) {
      this.start('dump');
      this.openGoroutine();
    } else if (c === 83 && this.signalHeader(s, b, e, !this.faulting())) {
      return true;
    } else if (s.startsWith('http: panic serving ', b)) {
      // net/http: `http: panic serving 10.0.0.1:5678: <value>` then the handler goroutine's stack.
      const text = s.slice(b + 20, e);
      const sep = text.indexOf(': ');
      const cur = this.start('panic');
      cur.addPanic(sep < 0 ? text : text.slice(sep + 2));
      cur.recovered = true;
      this.mode = Mode.Header;
    } else if (c === 114 && s.startsWith('runtime: ', b)) {
      if (this.mode !== Mode.Header) {
        if (this.cur !== undefined) this.finish(false);
        if (this.prefaceLine === 0) this.prefaceLine = this.lines.no;
      }
      return true;
    } else if (c === 61 && isRaceSeparator(s, b, e)) {
      if (this.cur !== undefined && this.mode !== Mode.Header) this.finish(false);
      this.raceSepLine = this.lines.no;
      return true;
    } else if (this.mode === Mode.Idle && this.opts.bare === true && this.bareFrame(s, b, e)) {
      return true;
    } else {
      const at = find(s, 'http: panic serving ', b, e);
      if (at > b) {
        this.lines.b = at;
        return this.anchor(s, at, e, 104);
      }
      return false;
    }
    return true;
  }

  /** A header with no goroutines yet is followed by a signal dump when the runtime faulted while dying. */
  private faulting(): boolean {
    return (
      this.mode === Mode.Header &&
      this.cur !== undefined &&
      this.cur.goroutines.length === 0 &&
      this.cur.kind !== 'race'
    );
  }

  private start(kind: FailureKind, startLine = 0): FailureBuilder {
    if (this.cur !== undefined) this.finish(false);
    const line = startLine > 0 ? startLine : this.lines.no;
    this.cur = new FailureBuilder(kind, line);
    this.prefaceLine = 0;
    this.blankSeen = false;
    this.noise = 0;
    this.good();
    return this.cur;
  }

  /** `SIGQUIT: quit` followed by `PC=...`: a dump's first line, or a crash dump's next section. */
  private signalHeader(s: string, b: number, e: number, fresh: boolean): boolean {
    const name = signalHeaderName(s, b, e);
    if (name === undefined) return false;
    const next = this.lines.peekRaw();
    if (next === undefined || !next.startsWith('PC=', stripPrefixes(next, 0, next.length))) return false;
    if (fresh) this.start(name === 'SIGQUIT' ? 'dump' : 'signal').message = s.slice(b, e);
    const cur = this.cur;
    if (cur !== undefined) cur.signal ??= { name };
    this.mode = Mode.Header;
    this.blankSeen = false;
    this.good();
    return true;
  }

  private inHeader(s: string, b: number, e: number, c: number): boolean {
    const cur = this.cur;
    if (cur === undefined) return false;
    if (c === 103 && this.stacks.isHeader(s, b, e)) this.openGoroutine();
    else if (c === 114 && s.startsWith('runtime stack:', b)) this.mode = Mode.RuntimeStack;
    else if (!headerLine(cur, s, b, e, c, this.blankSeen)) return false;
    this.good();
    return true;
  }

  private inGoroutines(s: string, b: number, e: number, c: number): boolean {
    const stacks = this.stacks;
    if (stacks.line(s, b, e, c)) {
      // a frame, `created by`, elision: the stack goes on
    } else if (c === 103 && stacks.isHeader(s, b, e)) {
      this.openGoroutine();
    } else if (c === 83 && this.noise === 0 && this.signalHeader(s, b, e, false)) {
      return true;
    } else if (c === 114 && s.startsWith('runtime stack:', b)) {
      this.mode = Mode.RuntimeStack;
    } else if (c === 45 || isRegisterLine(s, b, e)) {
      // crash dumps: `-----` between threads, register values
    } else if (c === 101 && s.startsWith('exit status ', b)) {
      this.good();
      this.finish(false);
      return true;
    } else return false;
    this.good();
    return true;
  }

  private openGoroutine(): void {
    if (this.cur === undefined) return;
    this.mode = Mode.Goroutines;
    this.stacks.open(this.cur.goroutines);
  }

  /** A zap-style stack (frames, no goroutine header) in a nested parse. */
  private bareFrame(s: string, b: number, e: number): boolean {
    const next = this.lines.peekRaw();
    if (next === undefined || next.charCodeAt(0) !== TAB || !this.stacks.funcLine(s, b, e)) return false;
    const cur = this.start('dump');
    this.mode = Mode.Goroutines;
    this.stacks.openBare(cur.goroutines);
    return true;
  }

  /** JSON and logfmt records: unwrap a shipped stderr line, or read a stack logged in a field. */
  private structured(s: string, b: number, e: number, c: number, depth: number): boolean {
    let rec: StructuredLine | undefined;
    if (c === 123) rec = readJsonLine(s.slice(b, e));
    else if (find(s, '\\n', b, e) > 0 && find(s, '="', b, e) > 0) rec = readLogfmtLine(s.slice(b, e));
    if (rec === undefined) return false;
    if (rec.kind === 'wrapped') {
      this.lines.replace(rec.line);
      this.line(depth + 1);
      return true;
    }
    const nesting = this.opts.nesting ?? 0;
    if (!rec.panicky || nesting >= 2) return false;
    if (this.cur !== undefined) this.finish(false);
    const no = this.lines.no;
    const nested = new Parser(new Lines(rec.stack), this.ff, {
      ...this.opts,
      bare: true,
      nesting: nesting + 1,
    }).run();
    const cur = new FailureBuilder('panic', no);
    cur.recovered = true;
    if (rec.message !== undefined) cur.addPanic(rec.message);
    for (const f of nested) {
      if (f.kind === 'dump') cur.goroutines.push(...f.goroutines);
      else this.out.push({ ...f, source: { ...f.source, startLine: no, endLine: no } });
    }
    if (cur.goroutines.length > 0)
      this.out.push(cur.build(this.opts.artifact, this.opts.levels, this.stacks.repeats));
    this.prefaceLine = 0;
    return true;
  }

  private finish(eof: boolean): void {
    const cur = this.cur;
    if (cur === undefined) return;
    if (this.mode === Mode.Race) {
      if (this.race.incomplete) cur.truncated = true;
      this.race.finishInto(cur);
    }
    if (this.stacks.pending) cur.truncated = true;
    if (eof && cur.kind === 'panic' && cur.goroutines.length === 0) cur.truncated = true;
    this.stacks.close();
    this.out.push(cur.build(this.opts.artifact, this.opts.levels, this.stacks.repeats));
    this.cur = undefined;
    this.mode = Mode.Idle;
    this.noise = 0;
  }
}
