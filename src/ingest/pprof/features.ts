/** ProfileFeatures from ProfileTables: totals, top functions flat/cum/application with file:line, entropy. */
import {
  type FunctionStat,
  type ProfileFeatures,
  type ProfileKind,
  SCHEMA_VERSION,
} from '../../core/model.js';
import { valueIndex } from './kind.js';
import type { ProfileTables } from './tables.js';

/** Maps a file as a profile records it to a repository-relative path, or undefined when it is not the repo's. */
export type RepoFileOf = (file: string, fn: string) => string | undefined;

export interface FeatureOptions {
  kind: ProfileKind;
  artifact: string;
  /** Entries in each top list. Default 10. */
  topN?: number;
  repoFileOf?: RepoFileOf;
}

/** Per-function sums over one profile, the shared input of features and growth. */
export interface FunctionSums {
  valueIndex: number;
  total: number;
  flat: Float64Array;
  cum: Float64Array;
  /** Value of samples whose innermost application frame is in this function. */
  app: Float64Array;
  /** Line with the most flat, cum and application value in each function. */
  flatLine: Uint32Array;
  cumLine: Uint32Array;
  appLine: Uint32Array;
  /** 1 when the function's file lies in the repository. */
  isApp: Uint8Array;
  repoFile: (string | undefined)[];
}

/**
 * One pass over every sample. Cum counts a function once per sample even under recursion
 * (a stamp per function), as `go tool pprof` does; lines are kept per (function, line) pair.
 */
export function sumFunctions(t: ProfileTables, vi: number, repoFileOf?: RepoFileOf): FunctionSums {
  const nFunc = t.funcName.length;
  const repoFile = t.funcName.map((fn, i) => repoFileOf?.(t.funcFile[i] ?? '', fn));
  const isApp = Uint8Array.from(repoFile, (f) => (f === undefined ? 0 : 1));
  const { frameKey, keyFunc, keyLine } = lineKeys(t);
  const nKeys = keyFunc.length;
  const flat = new Float64Array(nFunc);
  const cum = new Float64Array(nFunc);
  const app = new Float64Array(nFunc);
  const keyFlat = new Float64Array(nKeys);
  const keyCum = new Float64Array(nKeys);
  const keyApp = new Float64Array(nKeys);
  const funcStamp = new Int32Array(nFunc).fill(-1);
  const keyStamp = new Int32Array(nKeys).fill(-1);
  const { sampleLocStart, sampleLocs, locFrameStart, frameFunc, values } = t;
  const stride = t.sampleTypes.length;
  let total = 0;
  for (let s = 0; s < t.sampleCount; s++) {
    const v = values[s * stride + vi]!;
    if (v === 0) continue;
    total += v;
    let leaf = true;
    let appSeen = false;
    for (let i = sampleLocStart[s]!; i < sampleLocStart[s + 1]!; i++) {
      const loc = sampleLocs[i]!;
      for (let f = locFrameStart[loc]!; f < locFrameStart[loc + 1]!; f++) {
        const fn = frameFunc[f]!;
        const k = frameKey[f]!;
        if (leaf) {
          flat[fn]! += v;
          keyFlat[k]! += v;
          leaf = false;
        }
        if (!appSeen && isApp[fn] === 1) {
          app[fn]! += v;
          keyApp[k]! += v;
          appSeen = true;
        }
        if (funcStamp[fn] !== s) {
          funcStamp[fn] = s;
          cum[fn]! += v;
        }
        if (keyStamp[k] !== s) {
          keyStamp[k] = s;
          keyCum[k]! += v;
        }
      }
    }
  }
  return {
    valueIndex: vi,
    total,
    flat,
    cum,
    app,
    flatLine: bestLines(nFunc, keyFunc, keyLine, keyFlat),
    cumLine: bestLines(nFunc, keyFunc, keyLine, keyCum),
    appLine: bestLines(nFunc, keyFunc, keyLine, keyApp),
    isApp,
    repoFile,
  };
}

/** Dense ids for the distinct (function, line) pairs of the frame table. */
function lineKeys(t: ProfileTables): { frameKey: Uint32Array; keyFunc: number[]; keyLine: number[] } {
  const ids = new Map<number, number>();
  const frameKey = new Uint32Array(t.frameFunc.length);
  const keyFunc: number[] = [];
  const keyLine: number[] = [];
  for (let f = 0; f < t.frameFunc.length; f++) {
    const fn = t.frameFunc[f]!;
    const line = t.frameLine[f]!;
    const packed = fn * 4294967296 + line;
    let k = ids.get(packed);
    if (k === undefined) {
      k = keyFunc.length;
      ids.set(packed, k);
      keyFunc.push(fn);
      keyLine.push(line);
    }
    frameKey[f] = k;
  }
  return { frameKey, keyFunc, keyLine };
}

function bestLines(nFunc: number, keyFunc: number[], keyLine: number[], value: Float64Array): Uint32Array {
  const best = new Float64Array(nFunc).fill(-1);
  const line = new Uint32Array(nFunc);
  for (let k = 0; k < keyFunc.length; k++) {
    const fn = keyFunc[k]!;
    const v = Math.abs(value[k]!);
    if (v > best[fn]!) {
      best[fn] = v;
      line[fn] = keyLine[k]!;
    }
  }
  return line;
}

/** Normalised Shannon entropy of a distribution of non-negative weights over its non-zero entries. */
export function normalisedEntropy(weights: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = Math.abs(weights[i]!);
    if (w > 0) {
      sum += w;
      n++;
    }
  }
  if (n <= 1) return 0;
  let h = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = Math.abs(weights[i]!);
    if (w > 0) {
      const p = w / sum;
      h -= p * Math.log(p);
    }
  }
  return Math.min(1, Math.max(0, h / Math.log(n)));
}

export function computeFeatures(t: ProfileTables, options: FeatureOptions): ProfileFeatures {
  const vi = valueIndex(t, options.kind);
  const sums = sumFunctions(t, vi, options.repoFileOf);
  const topN = options.topN ?? 10;
  const stat = (fn: number, line: Uint32Array, flat: Float64Array): FunctionStat => {
    const file = sums.repoFile[fn];
    return {
      function: t.funcName[fn] ?? '',
      file: t.funcFile[fn] ?? '',
      line: line[fn]!,
      flat: flat[fn]!,
      cum: sums.cum[fn]!,
      flatShare: share(flat[fn]!, sums.total),
      cumShare: share(sums.cum[fn]!, sums.total),
      ...(file === undefined ? {} : { repoFile: file }),
    };
  };
  const valueType = t.sampleTypes[vi]!;
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: options.kind,
    artifact: options.artifact,
    sampleTypes: t.sampleTypes.map((s) => ({ ...s })),
    valueType: { ...valueType },
    total: sums.total,
    ...(t.durationNanos > 0 ? { durationNanos: t.durationNanos } : {}),
    ...(t.timeNanos > 0 ? { takenAt: new Date(t.timeNanos / 1e6).toISOString() } : {}),
    sampleCount: t.sampleCount,
    topFlat: top(sums.flat, topN).map((fn) => stat(fn, sums.flatLine, sums.flat)),
    topCum: top(sums.cum, topN).map((fn) => stat(fn, sums.cumLine, sums.flat)),
    topApplication: top(sums.app, topN).map((fn) => stat(fn, sums.appLine, sums.app)),
    entropy: normalisedEntropy(sums.flat),
  };
}

export function share(value: number, total: number): number {
  if (total === 0) return 0;
  return Math.min(1, Math.abs(value / total));
}

/** Indices of the `n` largest non-zero entries by magnitude, largest first (ties by index, for stable output). */
export function top(values: Float64Array, n: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) idx.push(i);
  idx.sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b);
  return idx.slice(0, n);
}
