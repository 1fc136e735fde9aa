/** Decodes a pprof profile (gzip or raw protobuf) into ProfileTables; every malformation is a typed error. */
import { gunzipSync } from 'node:zlib';
import { IngestError } from '../../core/errors.js';
import { type RawProfile, resolveProfile } from './resolve.js';
import type { ProfileTables } from './tables.js';
import { GrowableF64, GrowableU32, WIRE_LEN, WIRE_VARINT, WireError, WireReader } from './wire.js';

export interface DecodeOptions {
  /** Largest decompressed profile accepted, in bytes. Default 1 GiB. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips when needed, then decodes. `artifact` names the file in error messages. */
export function decodeProfile(
  bytes: Uint8Array,
  artifact: string,
  options: DecodeOptions = {},
): ProfileTables {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length === 0) throw corrupt(artifact, 'the file is empty');
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new IngestError(
          'MEDIC_ERR_INGEST_PROFILE_TOO_LARGE',
          `${artifact} decompresses to more than ${maxBytes} bytes`,
          { cause: error },
        );
      }
      throw corrupt(artifact, `gzip stream is damaged or truncated (${(error as Error).message})`, error);
    }
  } else if (raw.length > maxBytes) {
    throw new IngestError(
      'MEDIC_ERR_INGEST_PROFILE_TOO_LARGE',
      `${artifact} is larger than ${maxBytes} bytes`,
    );
  }
  try {
    return new Decoder(raw).decode();
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw corrupt(artifact, `${error.message}${textHint(raw)}`, error);
  }
}

function corrupt(artifact: string, problem: string, cause?: unknown): IngestError {
  return new IngestError(
    'MEDIC_ERR_INGEST_PROFILE_CORRUPT',
    `${artifact} is not a readable pprof profile: ${problem}`,
    cause === undefined ? {} : { cause },
  );
}

/** When a "profile" is really text (an HTML error page, a debug=1 dump), say so. */
function textHint(raw: Uint8Array): string {
  const head = Buffer.from(raw.subarray(0, 64)).toString('latin1');
  return /^[\t\n\r\x20-\x7e]{16,}/.test(head)
    ? ` (the content is text, starting ${JSON.stringify(head.slice(0, 40))})`
    : '';
}

/** One pass over the protobuf; samples go straight into typed arrays, ids are resolved at the end. */
class Decoder {
  private readonly r: WireReader;
  private readonly sampleTypeIdx: number[] = [];
  private periodTypeIdx: number[] | undefined;
  private defaultSampleTypeIdx = 0;
  private period = 0;
  private timeNanos = 0;
  private durationNanos = 0;
  private readonly stringStart = new GrowableU32(1024);
  private readonly stringEnd = new GrowableU32(1024);
  private readonly funcIds: number[] = [];
  private readonly funcNameIdx: number[] = [];
  private readonly funcFileIdx: number[] = [];
  private readonly locIds: number[] = [];
  private readonly locAddress: number[] = [];
  private readonly locFrameStart: number[] = [0];
  private readonly frameFuncId: number[] = [];
  private readonly frameLine: number[] = [];
  private readonly sampleLocStart: GrowableU32;
  private readonly sampleLocs: GrowableU32;
  private readonly sampleValStart: GrowableU32;
  private readonly values: GrowableF64;

  constructor(private readonly buf: Uint8Array) {
    this.r = new WireReader(buf, 0, buf.length);
    // Sizes guessed from the input length: a stack costs ~20-40 bytes in Go heap profiles.
    const guess = Math.ceil(buf.length / 32);
    this.sampleLocStart = new GrowableU32(guess);
    this.sampleLocs = new GrowableU32(guess * 8);
    this.sampleValStart = new GrowableU32(guess);
    this.values = new GrowableF64(guess * 2);
    this.sampleLocStart.push(0);
    this.sampleValStart.push(0);
  }

  decode(): ProfileTables {
    const r = this.r;
    while (!r.done()) {
      const [field, wire] = this.tag();
      if (field === 2) this.expect(field, wire, WIRE_LEN, () => this.sample());
      else if (field === 4) this.expect(field, wire, WIRE_LEN, () => this.location());
      else if (field === 5) this.expect(field, wire, WIRE_LEN, () => this.function());
      else if (field === 6) this.expect(field, wire, WIRE_LEN, () => this.string());
      else if (field === 1)
        this.expect(field, wire, WIRE_LEN, () => this.sampleTypeIdx.push(...this.valueType()));
      else if (field === 11)
        this.expect(field, wire, WIRE_LEN, () => (this.periodTypeIdx = this.valueType()));
      else if (field === 9) this.expect(field, wire, WIRE_VARINT, () => (this.timeNanos = r.varint()));
      else if (field === 10) this.expect(field, wire, WIRE_VARINT, () => (this.durationNanos = r.varint()));
      else if (field === 12) this.expect(field, wire, WIRE_VARINT, () => (this.period = r.varint()));
      else if (field === 14)
        this.expect(field, wire, WIRE_VARINT, () => (this.defaultSampleTypeIdx = r.varint()));
      else r.skip(wire);
    }
    return resolveProfile(this.raw());
  }

  private tag(): [number, number] {
    const tag = this.r.varint();
    const field = Math.floor(tag / 8);
    if (field === 0) throw new WireError('field number 0', this.r.pos);
    return [field, tag & 7];
  }

  private expect(field: number, wire: number, want: number, read: () => unknown): void {
    if (wire !== want)
      throw new WireError(`field ${field} has wire type ${wire}, expected ${want}`, this.r.pos);
    read();
  }

  /** Runs `body` with the reader limited to the length-delimited message at the cursor. */
  private message(body: (field: number, wire: number) => void): void {
    const r = this.r;
    const end = r.lengthEnd();
    const outer = r.end;
    r.end = end;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      body(field, wire);
    }
    r.end = outer;
  }

  /** Repeated integers, packed (one length-delimited run) or one per tag. */
  private repeated(wire: number, push: (v: number) => void): void {
    const r = this.r;
    if (wire === WIRE_VARINT) {
      push(r.varint());
      return;
    }
    if (wire !== WIRE_LEN) throw new WireError(`repeated integer has wire type ${wire}`, r.pos);
    const end = r.lengthEnd();
    const outer = r.end;
    r.end = end;
    while (r.pos < end) push(r.varint());
    r.end = outer;
  }

  /**
   * The hot path: a million samples in a large heap profile. Written out without closures so
   * V8 keeps it monomorphic; packed location ids are the common case and are read in a loop.
   */
  private sample(): void {
    const r = this.r;
    const locs = this.sampleLocs;
    const values = this.values;
    const end = r.lengthEnd();
    const outer = r.end;
    r.end = end;
    while (r.pos < end) {
      const tag = r.varint();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) throw new WireError('field number 0', r.pos);
      if (field === 1 && wire === WIRE_LEN) {
        const stop = r.lengthEnd();
        while (r.pos < stop) {
          const id = r.varint();
          if (id > 0xffffffff || id < 0) throw new WireError(`location id ${id} out of range`, r.pos);
          locs.push(id);
        }
      } else if (field === 2 && wire === WIRE_LEN) {
        const stop = r.lengthEnd();
        while (r.pos < stop) values.push(r.varint());
      } else if (field === 1) this.repeated(wire, (id) => locs.push(u32(id, r.pos)));
      else if (field === 2) this.repeated(wire, (v) => values.push(v));
      else r.skip(wire);
    }
    if (r.pos !== end) throw new WireError('sample runs past its length', r.pos);
    r.end = outer;
    this.sampleLocStart.push(locs.length);
    this.sampleValStart.push(values.length);
  }

  private valueType(): number[] {
    let type = 0;
    let unit = 0;
    this.message((field, wire) => {
      if (field === 1 && wire === WIRE_VARINT) type = this.r.varint();
      else if (field === 2 && wire === WIRE_VARINT) unit = this.r.varint();
      else this.r.skip(wire);
    });
    return [type, unit];
  }

  private location(): void {
    let id = 0;
    let address = 0;
    this.message((field, wire) => {
      if (field === 1 && wire === WIRE_VARINT) id = this.r.varint();
      else if (field === 3 && wire === WIRE_VARINT) address = this.r.varint();
      else if (field === 4 && wire === WIRE_LEN) this.line();
      else this.r.skip(wire);
    });
    this.locIds.push(id);
    this.locAddress.push(address);
    this.locFrameStart.push(this.frameLine.length);
  }

  private line(): void {
    let functionId = 0;
    let line = 0;
    this.message((field, wire) => {
      if (field === 1 && wire === WIRE_VARINT) functionId = this.r.varint();
      else if (field === 2 && wire === WIRE_VARINT) line = this.r.varint();
      else this.r.skip(wire);
    });
    this.frameFuncId.push(functionId);
    this.frameLine.push(Math.max(line, 0));
  }

  private function(): void {
    let id = 0;
    let name = 0;
    let file = 0;
    this.message((field, wire) => {
      if (field === 1 && wire === WIRE_VARINT) id = this.r.varint();
      else if (field === 2 && wire === WIRE_VARINT) name = this.r.varint();
      else if (field === 4 && wire === WIRE_VARINT) file = this.r.varint();
      else this.r.skip(wire);
    });
    this.funcIds.push(id);
    this.funcNameIdx.push(name);
    this.funcFileIdx.push(file);
  }

  private string(): void {
    const end = this.r.lengthEnd();
    this.stringStart.push(this.r.pos);
    this.stringEnd.push(end);
    this.r.pos = end;
  }

  /** What was read, ids not yet resolved (resolve.ts checks and resolves them). */
  private raw(): RawProfile {
    return {
      buf: this.buf,
      sampleTypeIdx: this.sampleTypeIdx,
      periodTypeIdx: this.periodTypeIdx,
      defaultSampleTypeIdx: this.defaultSampleTypeIdx,
      period: this.period,
      timeNanos: this.timeNanos,
      durationNanos: this.durationNanos,
      stringStart: this.stringStart.view(),
      stringEnd: this.stringEnd.view(),
      funcIds: this.funcIds,
      funcNameIdx: this.funcNameIdx,
      funcFileIdx: this.funcFileIdx,
      locIds: this.locIds,
      locAddress: this.locAddress,
      locFrameStart: this.locFrameStart,
      frameFuncId: this.frameFuncId,
      frameLine: this.frameLine,
      sampleLocStart: this.sampleLocStart.view(),
      sampleLocs: this.sampleLocs.view(),
      sampleValStart: this.sampleValStart.view(),
      values: this.values.view(),
    };
  }
}

function u32(id: number, offset: number): number {
  if (id < 0 || id > 0xffffffff) throw new WireError(`location id ${id} out of range`, offset);
  return id;
}
