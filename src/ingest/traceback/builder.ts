/** A failure under construction while the parser reads its lines, and how it becomes a Failure record. */
import { type FailureClass, SCHEMA_VERSION } from '../../core/model/common.js';
import type { Failure, Frame, Goroutine, PanicLink, RaceReport } from '../../core/model/failure.js';
import { type BucketLevel, bucketGoroutines, type Repeat } from './buckets.js';
import { classifyChain, classifyFatal } from './classify.js';
import { signatureOf } from './signature.js';

export type FailureKind = Failure['kind'];
export type Signal = NonNullable<Failure['signal']>;

export class FailureBuilder {
  message = '';
  chain: PanicLink[] = [];
  /** `fatal error: ` text when a panic header is followed by one (panic while printing, goexit). */
  fatal: string | undefined;
  signal: Signal | undefined;
  goroutines: Goroutine[] = [];
  races: RaceReport[] = [];
  runtimeStack: Frame[] = [];
  endLine: number;
  truncated = false;
  recovered = false;
  /** Overrides the class derived from the message (JSON logs name it in a field). */
  classOverride: FailureClass | undefined;
  /** Goroutine id of the crash, when the output names it (race reports). */
  crashedId: number | undefined;

  constructor(
    public kind: FailureKind,
    readonly startLine: number,
  ) {
    this.endLine = startLine;
  }

  /** Adds a link of a panic chain from the text after `panic: `. */
  addPanic(text: string): void {
    let value = text;
    let recovered = false;
    let repanicked = false;
    if (value.endsWith(' [recovered]')) {
      recovered = true;
      value = value.slice(0, -12);
    } else if (value.endsWith(' [recovered, repanicked]')) {
      recovered = true;
      repanicked = true;
      value = value.slice(0, -24);
    }
    this.chain.push({ value, recovered, repanicked });
  }

  /** Appends a continuation line of a multi-line panic value. */
  continuePanic(text: string): void {
    const last = this.chain[this.chain.length - 1];
    if (last === undefined) return;
    // Go 1.26 ends the first line with the suffix only after the whole value; keep it on the link.
    let line = text;
    if (line.endsWith(' [recovered]')) {
      last.recovered = true;
      line = line.slice(0, -12);
    }
    last.value += `\n${line}`;
  }

  classify(): FailureClass {
    if (this.classOverride !== undefined) return this.classOverride;
    switch (this.kind) {
      case 'race':
        return 'race';
      case 'fatal':
        return this.fatal === undefined ? 'unknown' : classifyFatal(this.fatal);
      case 'panic':
        return classifyChain(this.chain.map((l) => l.value));
      default:
        return 'unknown';
    }
  }

  build(artifact: string, levels: readonly BucketLevel[], repeats?: ReadonlyMap<Goroutine, Repeat>): Failure {
    const cls = this.classify();
    const message =
      this.kind === 'fatal' && this.fatal !== undefined
        ? this.fatal
        : this.message !== ''
          ? this.message
          : (this.chain[0]?.value ?? (this.kind === 'dump' ? 'goroutine dump' : ''));
    let crashed = this.crashedId;
    if (crashed === undefined && this.kind !== 'dump' && cls !== 'deadlock') {
      // Goroutine 0 is a thread's scheduler stack (signal and crash dumps print it first).
      crashed = (this.goroutines.find((g) => g.id !== 0) ?? this.goroutines[0])?.id;
    }
    const unsigned: Omit<Failure, 'signature'> = {
      schemaVersion: SCHEMA_VERSION,
      kind: this.kind,
      class: cls,
      message,
      panicChain: this.chain,
      signal: this.signal,
      goroutines: this.goroutines,
      crashedGoroutineId: crashed,
      races: this.races,
      buckets: levels.flatMap((level) => bucketGoroutines(this.goroutines, level, repeats)),
      goVersion: undefined,
      source: { artifact, startLine: this.startLine, endLine: this.endLine },
      truncated: this.truncated,
      recovered: this.recovered ? true : undefined,
      runtimeStack: this.runtimeStack.length > 0 ? this.runtimeStack : undefined,
    };
    return { ...unsigned, signature: signatureOf(unsigned) };
  }
}

/** `[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4553a2]` or `PC=0x46ecc1 m=0 sigcode=0 addr=0x0`. */
export function parseSignal(text: string, name: string | undefined): Signal {
  const sig: Signal = { name: name ?? '' };
  if (name === undefined) {
    const colon = text.indexOf(':');
    sig.name = text.slice(text.startsWith('[signal ') ? 8 : 0, colon < 0 ? text.length : colon);
  }
  for (const token of text.replace(/\]$/, '').split(' ')) {
    const eq = token.indexOf('=');
    if (eq < 0) continue;
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (key === 'code' || key === 'sigcode') sig.code = value;
    else if (key === 'addr') sig.addr = value;
    else if (key === 'pc' || key === 'PC') sig.pc = value;
  }
  return sig;
}
