/** Reads the body of a race detector report (`WARNING: DATA RACE` ... `==================`). */
import type { Frame, Goroutine, RaceAccess } from '../../core/model/failure.js';
import type { FailureBuilder } from './builder.js';
import type { FrameFactory } from './frames.js';
import type { FuncInfo } from './paths.js';

// `Previous write at 0x00c0000a4010 by goroutine 7:`, `Read at 0x... by main goroutine:`,
// `Atomic write at ...`, optionally `of size 8` (C/C++ TSan).
const ACCESS =
  /^(Previous )?(?:(?:Atomic|atomic) )?(read|write|Read|Write)(?: at (0x[0-9a-fA-F]+))?(?: of size (\d+))? by (main goroutine|goroutine (\d+)):$/;
const CREATED = /^Goroutine (\d+) \((running|finished)\) created at:$/;

interface Created {
  id: number;
  status: 'running' | 'finished';
  createdAt: Frame[];
}

export class RaceReader {
  private accesses: RaceAccess[] = [];
  private created: Created[] = [];
  private target: Frame[] | undefined;
  private pendInfo: FuncInfo | undefined;
  private pendArgs: string | undefined;
  private pendShared = false;

  constructor(private readonly ff: FrameFactory) {}

  reset(): void {
    this.accesses = [];
    this.created = [];
    this.target = undefined;
    this.pendInfo = undefined;
  }

  /** Handles a non-blank line of the report body; false when it is not part of one. */
  line(s: string, b: number, e: number): boolean {
    let i = b;
    while (i < e && s.charCodeAt(i) === 32) i++;
    const indent = i - b;
    if (indent === 0) {
      const text = s.slice(b, e);
      const a = ACCESS.exec(text);
      if (a !== null) {
        const frames: Frame[] = [];
        this.accesses.push({
          kind: a[2]?.toLowerCase() === 'write' ? 'write' : 'read',
          address: a[3],
          size: a[4] === undefined ? undefined : Number(a[4]),
          goroutineId: a[6] === undefined ? 1 : Number(a[6]),
          previous: a[1] !== undefined,
          frames,
        });
        this.target = frames;
        return true;
      }
      const c = CREATED.exec(text);
      if (c === null) return false;
      const createdAt: Frame[] = [];
      this.created.push({
        id: Number(c[1]),
        status: c[2] === 'finished' ? 'finished' : 'running',
        createdAt,
      });
      this.target = createdAt;
      return true;
    }
    if (s.charCodeAt(i) === 91) return true; // `[failed to restore the stack]`
    if (this.target === undefined) return false;
    if (indent >= 4 && this.pendInfo !== undefined) {
      const frame = this.ff.frame(this.pendInfo, this.pendArgs, this.pendShared, s, i, e);
      this.pendInfo = undefined;
      if (frame === undefined) return false;
      this.target.push(frame);
      return true;
    }
    if (!this.ff.funcLine(s, i, e)) return false;
    this.pendInfo = this.ff.fnInfo;
    this.pendArgs = this.ff.fnArgs;
    this.pendShared = this.ff.fnShared;
    return true;
  }

  /** Whether a frame was cut: a function line without its file line. */
  get incomplete(): boolean {
    return this.pendInfo !== undefined;
  }

  /** Moves what was read into the failure: the report (when both accesses are there) and one goroutine per racer. */
  finishInto(cur: FailureBuilder): void {
    const [now, before] = this.accesses;
    if (now !== undefined) {
      cur.message = `data race: ${now.kind} by goroutine ${now.goroutineId}`;
      if (before !== undefined) cur.message += `, previous ${before.kind} by goroutine ${before.goroutineId}`;
    }
    if (this.accesses.length >= 2) {
      cur.races.push({ accesses: this.accesses, goroutines: this.created });
    } else cur.truncated = true;
    const byId = new Map<number, Goroutine>();
    for (const a of this.accesses) {
      if (byId.has(a.goroutineId)) continue;
      const made = this.created.find((c) => c.id === a.goroutineId);
      const top = made?.createdAt[0];
      byId.set(a.goroutineId, {
        id: a.goroutineId,
        state: made?.status ?? 'running',
        waitMinutes: undefined,
        lockedToThread: false,
        frames: a.frames,
        framesElided: false,
        stackUnavailable: false,
        createdBy: top === undefined ? undefined : { function: top.function, file: top.file, line: top.line },
      });
    }
    cur.goroutines = [...byId.values()];
    cur.crashedId = this.accesses[0]?.goroutineId;
    this.reset();
  }
}
