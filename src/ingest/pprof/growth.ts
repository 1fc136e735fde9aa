/** Growth by stack between two profiles of one kind: which stacks grew, by how much, per minute. */
import type { CodeLocation, ProfileFeatures, StackGrowth } from '../../core/model.js';
import type { RepoFileOf } from './features.js';
import type { ProfileTables } from './tables.js';

export interface GrowthOptions {
  baselineArtifact: string;
  /** Seconds between the two profiles; 0 when unknown (then `perMinute` is 0). */
  intervalSeconds: number;
  /** Sample type to compare, by name (e.g. inuse_space, goroutine). */
  valueType: string;
  repoFileOf?: RepoFileOf;
  /** Stacks kept, largest growth first. Default 10. */
  topN?: number;
  /** Frames kept per stack in the record. Default 32. */
  maxFrames?: number;
}

type Growth = NonNullable<ProfileFeatures['growth']>;

interface StackTotal {
  value: number;
  /** A sample with this stack, to print it. */
  sample: number;
}

/**
 * Stacks are matched by their frames' function names and lines, never by addresses or ids,
 * which differ between processes. Each stack is hashed into 53 bits (two 32-bit lanes), so
 * a million distinct stacks cost a Map of numbers, not a Map of long strings; a collision
 * at that size has odds of about 1 in 10^5 and would only merge two stacks' values.
 */
export function stackTotals(t: ProfileTables, valueType: string): Map<number, StackTotal> {
  const vi = t.sampleTypes.findIndex((s) => s.type === valueType);
  const totals = new Map<number, StackTotal>();
  if (vi < 0) return totals;
  const [h1, h2] = frameHashes(t);
  const stride = t.sampleTypes.length;
  for (let s = 0; s < t.sampleCount; s++) {
    const v = t.values[s * stride + vi]!;
    if (v === 0) continue;
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let i = t.sampleLocStart[s]!; i < t.sampleLocStart[s + 1]!; i++) {
      const loc = t.sampleLocs[i]!;
      for (let f = t.locFrameStart[loc]!; f < t.locFrameStart[loc + 1]!; f++) {
        a = Math.imul(a ^ h1[f]!, 0x9e3779b1);
        b = Math.imul(b ^ h2[f]!, 0x85ebca6b) ^ (b >>> 13);
      }
    }
    const key = (a >>> 0) * 2097152 + (b >>> 11);
    const entry = totals.get(key);
    if (entry) entry.value += v;
    else totals.set(key, { value: v, sample: s });
  }
  return totals;
}

/** Two independent 32-bit hashes of each frame's function name and line. */
function frameHashes(t: ProfileTables): [Int32Array, Int32Array] {
  const nameHash = t.funcName.map((name) => fnv1a(name));
  const h1 = new Int32Array(t.frameFunc.length);
  const h2 = new Int32Array(t.frameFunc.length);
  for (let f = 0; f < t.frameFunc.length; f++) {
    const n = nameHash[t.frameFunc[f]!]!;
    const line = t.frameLine[f]!;
    h1[f] = Math.imul(n ^ line, 0x27d4eb2d);
    h2[f] = Math.imul(n + Math.imul(line, 0x165667b1), 0xc2b2ae35) ^ (n >>> 15);
  }
  return [h1, h2];
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

export function computeGrowth(base: ProfileTables, current: ProfileTables, options: GrowthOptions): Growth {
  const before = stackTotals(base, options.valueType);
  const after = stackTotals(current, options.valueType);
  const minutes = options.intervalSeconds / 60;
  const grown: { delta: number; before: number; after: number; sample: number }[] = [];
  let totalBefore = 0;
  let totalAfter = 0;
  for (const entry of before.values()) totalBefore += entry.value;
  for (const [key, entry] of after) {
    totalAfter += entry.value;
    const was = before.get(key)?.value ?? 0;
    const delta = entry.value - was;
    if (delta > 0) grown.push({ delta, before: was, after: entry.value, sample: entry.sample });
  }
  grown.sort((x, y) => y.delta - x.delta || x.sample - y.sample);
  const stacks = grown.slice(0, options.topN ?? 10).map(
    (g): StackGrowth => ({
      ...describeStack(current, g.sample, options),
      before: g.before,
      after: g.after,
      delta: g.delta,
      perMinute: minutes > 0 ? g.delta / minutes : 0,
    }),
  );
  return {
    baselineArtifact: options.baselineArtifact,
    intervalSeconds: options.intervalSeconds,
    totalBefore,
    totalAfter,
    stacks,
  };
}

function describeStack(
  t: ProfileTables,
  s: number,
  options: GrowthOptions,
): Pick<StackGrowth, 'stack' | 'leaf' | 'site' | 'callers'> {
  const names: string[] = [];
  let leaf: StackGrowth['leaf'] | undefined;
  const app: CodeLocation[] = [];
  for (let i = t.sampleLocStart[s]!; i < t.sampleLocStart[s + 1]!; i++) {
    const loc = t.sampleLocs[i]!;
    for (let f = t.locFrameStart[loc]!; f < t.locFrameStart[loc + 1]!; f++) {
      const fn = t.funcName[t.frameFunc[f]!] ?? '';
      const file = t.funcFile[t.frameFunc[f]!] ?? '';
      const line = t.frameLine[f]!;
      leaf ??= { function: fn, file, line };
      if (app.length < 5 && line > 0) {
        const repoFile = options.repoFileOf?.(file, fn);
        if (repoFile !== undefined) app.push({ file: repoFile, line, function: fn });
      }
      if (names.length < (options.maxFrames ?? 32)) names.push(fn);
    }
  }
  const [site, ...callers] = app;
  return {
    stack: names,
    leaf: leaf ?? { function: '', file: '', line: 0 },
    ...(site ? { site } : {}),
    ...(callers.length > 0 ? { callers } : {}),
  };
}
