/**
 * Turns raw probe records into TraceEvents: load bias, symbolized stacks, panic values. Double
 * entry hits never reach here: probes sit past the stack check (native/goinspect/prologue.go).
 */
import type { TraceEvent, TraceProbe } from '../../core/model/trace.js';
import { TRACE_EVENT_VERSION } from '../../core/model/trace.js';
import { EVENT_KIND, type RawEvent } from './collector-decode.js';
import type { GoInspector, InspectFrame } from './collector-inspect.js';

type TraceFrame = TraceEvent['stack'][number];

const PROBE_OF: Record<number, TraceProbe> = {
  [EVENT_KIND.panic]: 'panic',
  [EVENT_KIND.goroutineCreate]: 'goroutine-create',
  [EVENT_KIND.gcStart]: 'gc-start',
  [EVENT_KIND.user]: 'user-function',
};

const hex = (n: number) => `0x${n.toString(16)}`;

export class EventBuilder {
  /** Link-time PC -> what goinspect says (pclntab, plus DWARF's inlined callers); null: not Go code. */
  private readonly lines = new Map<number, InspectFrame | null>();
  /** Finished frames per load bias, by lookup PC: shared between events, never mutated. */
  private readonly symbolized = new Map<number, Map<number, readonly TraceFrame[]>>();

  /**
   * @param probeAddress link-time address each kind (and user cookie) probes: the load bias of an
   *   event is its ip minus that address, so PIE binaries need no maps lookup per event.
   */
  constructor(
    private readonly inspector: GoInspector,
    private readonly probeAddress: (kind: number, cookie: number) => number | undefined,
    private readonly userFunctions: readonly string[],
  ) {}

  async build(raws: RawEvent[]): Promise<TraceEvent[]> {
    const kept = raws.filter((r) => PROBE_OF[r.kind] !== undefined);
    await this.resolve(kept);
    const out = kept.map((r) => this.toEvent(r));
    // Only panics need another round trip (their value's type); they are rare.
    for (let i = 0; i < kept.length; i++) {
      const r = kept[i];
      const event = out[i];
      if (r?.panic === undefined || event === undefined) continue;
      event.panic = await this.inspector.describePanic(
        r.aux0 - this.bias(r),
        r.panic.raw,
        r.panic.str,
        r.panic.strTotal,
      );
    }
    return out;
  }

  private bias(r: RawEvent): number {
    const address = this.probeAddress(r.kind, r.cookie);
    return address === undefined ? 0 : r.ip - address;
  }

  /** Looks up, in one request, every link-time PC of these events not seen before. */
  private async resolve(raws: RawEvent[]): Promise<void> {
    const wanted = new Set<number>();
    const want = (pc: number) => {
      if (!this.lines.has(pc)) wanted.add(pc);
    };
    for (const r of raws) {
      const bias = this.bias(r);
      if (r.kind === EVENT_KIND.goroutineCreate) {
        want(r.aux0 - bias);
        // Only return addresses, all looked up at pc-1.
        for (const pc of r.stack) want(pc - bias - 1);
        continue;
      }
      // Return addresses both as they are and minus one: which one applies is decided per frame.
      for (let i = 0; i < r.stack.length; i++) {
        const link = (r.stack[i] ?? 0) - bias;
        want(link);
        if (i > 0) want(link - 1);
      }
    }
    if (wanted.size === 0) return;
    const pcs = [...wanted];
    const found = await this.inspector.symbolize(pcs);
    pcs.forEach((pc, i) => {
      this.lines.set(pc, found[i] ?? null);
    });
  }

  /** The frames at one PC: one, or, in inlined code, the inlined function and those it sits in, outward. */
  private frames(linkPc: number, runtimePc: number): readonly TraceFrame[] {
    const bias = runtimePc - linkPc;
    let byPc = this.symbolized.get(bias);
    if (byPc === undefined) {
      byPc = new Map();
      this.symbolized.set(bias, byPc);
    }
    let frames = byPc.get(linkPc);
    if (frames === undefined) {
      const f = this.lines.get(linkPc);
      const pc = hex(runtimePc);
      frames =
        f === undefined || f === null
          ? [{ function: '?', pc }]
          : [f, ...(f.callers ?? [])].map((site) => ({
              function: site.function,
              ...(site.file === undefined ? {} : { file: site.file }),
              ...(site.line === undefined ? {} : { line: site.line }),
              pc,
            }));
      byPc.set(linkPc, frames);
    }
    return frames;
  }

  /**
   * Return addresses point after the call, so their line is looked up at pc-1 - except the frame
   * runtime.sigpanic "returns" to, which is the faulting instruction itself (as Go's traceback does).
   */
  private stack(r: RawEvent, bias: number): TraceFrame[] {
    const out: TraceFrame[] = [];
    for (let i = 0; i < r.stack.length; i++) {
      const pc = r.stack[i] ?? 0;
      const exact = i === 0 || out.at(-1)?.function === 'runtime.sigpanic';
      out.push(...this.frames(pc - bias - (exact ? 0 : 1), pc));
    }
    return out;
  }

  private toEvent(r: RawEvent): TraceEvent {
    const bias = this.bias(r);
    const event: TraceEvent = {
      v: TRACE_EVENT_VERSION,
      probe: PROBE_OF[r.kind] as TraceProbe,
      pid: r.pid,
      tid: r.tid,
      goid: r.goid,
      timeNs: r.timeNs,
      // No `sp`: readers merge events with equal sp as double hits, but these probes never
      // double-fire, and a loop calling a function repeats its sp on every real call.
      stack: [],
    };
    if (r.parentGoid !== 0) event.parentGoid = r.parentGoid;
    if (r.kind === EVENT_KIND.goroutineCreate) {
      // goid is the creator (newproc1's callergp); the stack is its stack from the go statement on.
      event.childGoid = r.aux1;
      event.stack = r.stack.flatMap((pc) => this.frames(pc - bias - 1, pc));
      const fn = this.lines.get(r.aux0 - bias);
      if (fn) event.function = fn.function;
      return event;
    }
    event.stack = this.stack(r, bias);
    if (r.kind === EVENT_KIND.user) {
      const name = this.userFunctions[r.cookie];
      if (name !== undefined) event.function = name;
    }
    return event;
  }
}
