/** Decodes the addon's raw batches: fixed-size `struct medic_event` records laid out by bpf/medic.h. */

/**
 * Byte offsets of struct medic_event and struct medic_panic_event (bpf/medic.h); test/ebpf checks
 * them against the addon's offsetof.
 */
export const EVENT_LAYOUT = {
  size: 352,
  panicSize: 640,
  stackDepth: 32,
  strMax: 256,
  rawMax: 32,
  offsets: {
    kind: 0,
    cookie: 4,
    pid: 8,
    tid: 12,
    time_ns: 16,
    goid: 24,
    parent_goid: 32,
    ip: 40,
    sp: 48,
    caller: 56,
    aux0: 64,
    aux1: 72,
    stack_n: 80,
    str_len: 84,
    str_total: 88,
    stack: 96,
    raw: 352,
    str: 384,
  },
} as const;

export const EVENT_KIND = { panic: 1, goroutineCreate: 2, gcStart: 3, user: 4 } as const;

/**
 * One record as the kernel wrote it. Addresses are runtime (biased) addresses. 64-bit fields are
 * Numbers: user-space addresses (47 bits), goroutine ids and boot-time nanoseconds fit in 2^53,
 * and avoiding BigInt keeps decoding cheap at hundreds of thousands of events a second.
 */
export interface RawEvent {
  kind: number;
  cookie: number;
  pid: number;
  tid: number;
  timeNs: number;
  goid: number;
  parentGoid: number;
  ip: number;
  sp: number;
  caller: number;
  aux0: number;
  aux1: number;
  stack: number[];
  /** Panic records only. */
  panic?: { raw: Buffer; str: Buffer; strTotal: number };
}

const O = EVENT_LAYOUT.offsets;
const TWO_32 = 2 ** 32;

function u64(b: Buffer, at: number): number {
  return b.readUInt32LE(at + 4) * TWO_32 + b.readUInt32LE(at);
}

/** Splits a batch (u32 length, 4 zero bytes, record; repeated) into records. */
export function decodeBatch(batch: Buffer): RawEvent[] {
  const out: RawEvent[] = [];
  let at = 0;
  while (at + 8 <= batch.length) {
    const size = batch.readUInt32LE(at);
    const end = at + 8 + size;
    if (size < EVENT_LAYOUT.size || end > batch.length) break; // never produced by the addon
    out.push(decodeRecord(batch.subarray(at + 8, end)));
    at = end;
  }
  return out;
}

export function decodeRecord(r: Buffer): RawEvent {
  const stackN = Math.min(r.readUInt32LE(O.stack_n), EVENT_LAYOUT.stackDepth);
  const stack: number[] = [];
  for (let i = 0; i < stackN; i++) {
    const pc = u64(r, O.stack + i * 8);
    if (pc !== 0) stack.push(pc);
  }
  const event: RawEvent = {
    kind: r.readUInt32LE(O.kind),
    cookie: r.readUInt32LE(O.cookie),
    pid: r.readUInt32LE(O.pid),
    tid: r.readUInt32LE(O.tid),
    timeNs: u64(r, O.time_ns),
    goid: u64(r, O.goid),
    parentGoid: u64(r, O.parent_goid),
    ip: u64(r, O.ip),
    sp: u64(r, O.sp),
    caller: u64(r, O.caller),
    aux0: u64(r, O.aux0),
    aux1: u64(r, O.aux1),
    stack,
  };
  if (event.kind === EVENT_KIND.panic && r.length >= EVENT_LAYOUT.panicSize) {
    const strLen = Math.min(r.readUInt32LE(O.str_len), EVENT_LAYOUT.strMax);
    // Copies: the batch's memory is released once decoded.
    event.panic = {
      raw: Buffer.from(r.subarray(O.raw, O.raw + EVENT_LAYOUT.rawMax)),
      str: Buffer.from(r.subarray(O.str, O.str + strLen)),
      strTotal: u64(r, O.str_total),
    };
  }
  return event;
}

/** The config record (struct medic_config) written into the medic_config map. */
export interface ProbeConfig {
  goidOff: number;
  gMOff: number;
  mPOff: number;
  pGoidcacheOff: number;
  pGoidcacheendOff: number;
  goidgenVaddr: number;
  newproc1Vaddr: number;
  stacks: boolean;
  /** 0 when the runtime has no g.parentGoid (before Go 1.21). */
  gParentGoidOff: number;
  /** g.sched + gobuf.bp; 0 when unknown (goroutine-create then carries only the go statement). */
  gSchedBpOff: number;
}

export const CONFIG_SIZE = 80;

export function encodeConfig(c: ProbeConfig): Buffer {
  const b = Buffer.alloc(CONFIG_SIZE);
  const words = [
    c.goidOff,
    c.gMOff,
    c.mPOff,
    c.pGoidcacheOff,
    c.pGoidcacheendOff,
    c.goidgenVaddr,
    c.newproc1Vaddr,
  ];
  words.forEach((w, i) => {
    b.writeBigUInt64LE(BigInt(w), i * 8);
  });
  b.writeBigUInt64LE(c.stacks ? 1n : 0n, 56);
  b.writeBigUInt64LE(BigInt(c.gParentGoidOff), 64);
  b.writeBigUInt64LE(BigInt(c.gSchedBpOff), 72);
  return b;
}
