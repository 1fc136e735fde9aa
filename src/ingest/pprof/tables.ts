/** ProfileTables: a decoded pprof profile held in flat typed arrays, the shape every feature is computed from. */

export interface ValueType {
  type: string;
  unit: string;
}

/**
 * One profile, decoded. Functions, locations and samples are dense (0-based) indices;
 * ids from the protobuf are resolved during decoding, so every index here is valid.
 */
export interface ProfileTables {
  sampleTypes: ValueType[];
  /** `default_sample_type` when the producer set one (Go's allocs profile sets alloc_space). */
  defaultSampleType: string | undefined;
  periodType: ValueType | undefined;
  period: number;
  /** Wall-clock time the profile was taken (0 when absent); precise to about a microsecond. */
  timeNanos: number;
  durationNanos: number;
  funcName: string[];
  funcFile: string[];
  /** Frames of location i are `locFrameStart[i] .. locFrameStart[i+1]`, innermost inlined call first. */
  locFrameStart: Uint32Array;
  frameFunc: Uint32Array;
  frameLine: Uint32Array;
  sampleCount: number;
  /** Locations of sample s are `sampleLocs[sampleLocStart[s] .. sampleLocStart[s+1]]`, leaf first. */
  sampleLocStart: Uint32Array;
  sampleLocs: Uint32Array;
  /** `sampleCount × sampleTypes.length` values, one row per sample. */
  values: Float64Array;
}

/** Calls `visit(frame)` for every frame of sample `s`, leaf first, inlined frames expanded. */
export function forEachFrame(t: ProfileTables, s: number, visit: (frame: number) => void): void {
  for (let i = t.sampleLocStart[s]!; i < t.sampleLocStart[s + 1]!; i++) {
    const loc = t.sampleLocs[i]!;
    for (let f = t.locFrameStart[loc]!; f < t.locFrameStart[loc + 1]!; f++) visit(f);
  }
}

/** The frames of sample `s`, leaf first (for the few stacks a record shows, not for hot loops). */
export function sampleFrames(t: ProfileTables, s: number): number[] {
  const frames: number[] = [];
  forEachFrame(t, s, (f) => frames.push(f));
  return frames;
}

export function frameFunction(t: ProfileTables, frame: number): string {
  return t.funcName[t.frameFunc[frame]!] ?? '';
}

export function frameFile(t: ProfileTables, frame: number): string {
  return t.funcFile[t.frameFunc[frame]!] ?? '';
}
