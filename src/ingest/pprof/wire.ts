/** A minimal protobuf wire reader over one byte array: varints, length-delimited spans and skips. */

/** Thrown by the reader; the decoder turns it into an IngestError naming the artifact. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} at byte ${offset}`);
  }
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_32 = 4294967296;

/**
 * Reads fields in place, without building an object per message: the decoder walks the
 * buffer once and writes straight into typed arrays, which is what keeps a 40 MB heap
 * profile at a few hundred milliseconds and a small multiple of its size in memory.
 */
export class WireReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned or two's-complement varint as a double (exact below 2^53, which covers ids and values). */
  varint(): number {
    const b = this.buf;
    let p = this.pos;
    if (p + 10 > this.end) return this.varintChecked();
    let byte = b[p++]!;
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    let lo = byte & 0x7f;
    byte = b[p++]!;
    lo |= (byte & 0x7f) << 7;
    if (byte < 0x80) {
      this.pos = p;
      return lo;
    }
    byte = b[p++]!;
    lo |= (byte & 0x7f) << 14;
    if (byte < 0x80) {
      this.pos = p;
      return lo;
    }
    byte = b[p++]!;
    lo |= (byte & 0x7f) << 21;
    if (byte < 0x80) {
      this.pos = p;
      return lo;
    }
    this.pos = p;
    return this.varintTail(lo);
  }

  /** Bytes 5..10 of a varint: the high bits, kept exact as far as a double allows. */
  private varintTail(low28: number): number {
    const b = this.buf;
    let p = this.pos;
    let byte = b[p++]!;
    const lo = (low28 | ((byte & 0x0f) << 28)) >>> 0;
    let hi = (byte & 0x7f) >> 4;
    let shift = 3;
    while (byte >= 0x80) {
      if (shift > 31) throw new WireError('varint longer than 10 bytes', this.pos);
      byte = b[p++]!;
      hi |= (byte & 0x7f) << shift;
      shift += 7;
    }
    this.pos = p;
    // A ten-byte varint with the top bit set is a negative int64 (pprof diff profiles carry these).
    return (hi | 0) * TWO_32 + lo;
  }

  /** The slow path near the end of the buffer: every byte bounds-checked. */
  private varintChecked(): number {
    let lo = 0;
    let hi = 0;
    let p = this.pos;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) throw new WireError('truncated varint', this.pos);
      const byte = this.buf[p++]!;
      if (i < 4) lo |= (byte & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (byte & 0x0f) << 28;
        hi = (byte & 0x7f) >> 4;
      } else hi |= (byte & 0x7f) << (7 * i - 32);
      if (byte < 0x80) {
        this.pos = p;
        return i < 4 ? lo : (hi | 0) * TWO_32 + (lo >>> 0);
      }
    }
    throw new WireError('varint longer than 10 bytes', this.pos);
  }

  /** The end offset of a length-delimited field whose payload starts at the current position. */
  lengthEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (len < 0 || end > this.end)
      throw new WireError(`field length ${len} runs past the end of its message`, this.pos);
    return end;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd();
        return;
      case WIRE_I32:
        this.advance(4);
        return;
      default:
        throw new WireError(`invalid wire type ${wireType}`, this.pos);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new WireError('truncated fixed-width field', this.pos);
    this.pos += n;
  }
}

/**
 * Typed arrays that grow by doubling; `view()` is the filled part. Two classes rather than one
 * generic: `push` runs ~25 million times on a large profile and must stay monomorphic.
 */
export class GrowableU32 {
  data: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

export class GrowableF64 {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
