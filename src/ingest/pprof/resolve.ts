/** Resolution of a decoded pprof profile: protobuf ids to dense indices, strings, and every reference checked. */
import type { ProfileTables, ValueType } from './tables.js';
import { WireError } from './wire.js';

/** The fields of a profile as the one-pass reader found them, ids and string indices unresolved. */
export interface RawProfile {
  buf: Uint8Array;
  sampleTypeIdx: number[];
  periodTypeIdx: number[] | undefined;
  defaultSampleTypeIdx: number;
  period: number;
  timeNanos: number;
  durationNanos: number;
  stringStart: Uint32Array;
  stringEnd: Uint32Array;
  funcIds: number[];
  funcNameIdx: number[];
  funcFileIdx: number[];
  locIds: number[];
  locAddress: number[];
  /** Frames of location l are `frameFuncId[locFrameStart[l] .. locFrameStart[l+1]]`. */
  locFrameStart: number[];
  frameFuncId: number[];
  frameLine: number[];
  sampleLocStart: Uint32Array;
  /** Location ids, resolved in place to dense indices. */
  sampleLocs: Uint32Array;
  sampleValStart: Uint32Array;
  values: Float64Array;
}

/** Resolves ids to dense indices and checks every reference; a broken one is a WireError. */
export function resolveProfile(raw: RawProfile): ProfileTables {
  const strings = decodeStrings(raw);
  const str = (i: number, what: string): string => {
    const s = strings[i];
    if (s === undefined)
      throw new WireError(`${what} names string ${i}, beyond the string table (${strings.length})`);
    return s;
  };
  if (raw.sampleTypeIdx.length === 0) {
    throw new WireError('no sample types (not a pprof profile)');
  }
  const sampleTypes: ValueType[] = [];
  for (let i = 0; i < raw.sampleTypeIdx.length; i += 2) {
    sampleTypes.push({
      type: str(raw.sampleTypeIdx[i]!, 'sample type'),
      unit: str(raw.sampleTypeIdx[i + 1]!, 'sample unit'),
    });
  }
  const funcIndex = denseIndex(raw.funcIds, 'function');
  const funcName = raw.funcNameIdx.map((n, i) => str(n, `function ${raw.funcIds[i]}`));
  const funcFile = raw.funcFileIdx.map((n, i) => str(n, `function ${raw.funcIds[i]}`));
  const frames = resolveFrames(raw, funcIndex, funcName, funcFile);
  const locIndex = denseIndex(raw.locIds, 'location');
  const sampleCount = raw.sampleLocStart.length - 1;
  const sampleLocs = raw.sampleLocs;
  const locStart = raw.sampleLocStart;
  for (let s = 0; s < sampleCount; s++) {
    for (let i = locStart[s]!; i < locStart[s + 1]!; i++) {
      const dense = locIndex(sampleLocs[i]!);
      if (dense < 0) throw new WireError(`sample ${s} names location ${sampleLocs[i]}, which is not defined`);
      sampleLocs[i] = dense;
    }
  }
  checkValueCounts(raw, sampleCount, sampleTypes.length);
  const periodType = raw.periodTypeIdx && {
    type: str(raw.periodTypeIdx[0]!, 'period type'),
    unit: str(raw.periodTypeIdx[1]!, 'period unit'),
  };
  return {
    sampleTypes,
    defaultSampleType:
      raw.defaultSampleTypeIdx > 0 ? str(raw.defaultSampleTypeIdx, 'default sample type') : undefined,
    periodType,
    period: raw.period,
    timeNanos: raw.timeNanos,
    durationNanos: raw.durationNanos,
    funcName,
    funcFile,
    locFrameStart: Uint32Array.from(frames.locFrameStart),
    frameFunc: Uint32Array.from(frames.frameFunc),
    frameLine: Uint32Array.from(frames.frameLine),
    sampleCount,
    sampleLocStart: locStart,
    sampleLocs,
    values: raw.values,
  };
}

function decodeStrings(raw: RawProfile): string[] {
  const text = Buffer.from(raw.buf.buffer, raw.buf.byteOffset, raw.buf.byteLength);
  const starts = raw.stringStart;
  const ends = raw.stringEnd;
  const out = new Array<string>(starts.length);
  for (let i = 0; i < starts.length; i++) out[i] = text.toString('utf8', starts[i], ends[i]);
  return out;
}

/** Resolves function ids in frames; a location without line info gets a frame named by its address. */
function resolveFrames(
  raw: RawProfile,
  funcIndex: (id: number) => number,
  funcName: string[],
  funcFile: string[],
) {
  const locFrameStart = [0];
  const frameFunc: number[] = [];
  const frameLine: number[] = [];
  for (let l = 0; l < raw.locIds.length; l++) {
    const from = raw.locFrameStart[l]!;
    const to = raw.locFrameStart[l + 1]!;
    if (from === to) {
      frameFunc.push(funcName.length);
      funcName.push(`0x${raw.locAddress[l]!.toString(16)}`);
      funcFile.push('');
      frameLine.push(0);
    }
    for (let f = from; f < to; f++) {
      const dense = funcIndex(raw.frameFuncId[f]!);
      if (dense < 0) {
        throw new WireError(
          `location ${raw.locIds[l]} names function ${raw.frameFuncId[f]}, which is not defined`,
        );
      }
      frameFunc.push(dense);
      frameLine.push(raw.frameLine[f]!);
    }
    locFrameStart.push(frameFunc.length);
  }
  return { locFrameStart, frameFunc, frameLine };
}

function checkValueCounts(raw: RawProfile, sampleCount: number, types: number): void {
  const valStart = raw.sampleValStart;
  for (let s = 0; s < sampleCount; s++) {
    const n = valStart[s + 1]! - valStart[s]!;
    if (n !== types) throw new WireError(`sample ${s} has ${n} values for ${types} sample types`);
  }
}

/** Maps protobuf ids to dense indices; -1 for unknown ids. A table when ids are small, a Map otherwise. */
function denseIndex(ids: number[], what: string): (id: number) => number {
  let max = 0;
  for (const id of ids) if (id > max) max = id;
  if (max < ids.length * 4 + 1024) {
    const table = new Int32Array(max + 1).fill(-1);
    ids.forEach((id, i) => {
      if (id === 0 || table[id] !== -1) throw new WireError(`${what} id ${id} is zero or defined twice`);
      table[id] = i;
    });
    return (id) => (id <= max ? table[id]! : -1);
  }
  const map = new Map<number, number>();
  ids.forEach((id, i) => {
    if (id === 0 || map.has(id)) throw new WireError(`${what} id ${id} is zero or defined twice`);
    map.set(id, i);
  });
  return (id) => map.get(id) ?? -1;
}
