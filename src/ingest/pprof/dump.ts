/** Goroutine debug=2 dumps as profiles: one sample per goroutine, so features and growth treat them like pprof. */
import type { Goroutine, ProfileFeatures } from '../../core/model.js';
import type { RepoFileOf } from './features.js';
import type { ProfileTables } from './tables.js';

/** Is this text a goroutine dump (`/debug/pprof/goroutine?debug=2`) rather than a protobuf? */
export function looksLikeGoroutineDump(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 256)).toString('utf8').trimStart();
  return /^goroutine \d+ \[/.test(head);
}

/** Tables with sample type goroutine/count: each goroutine is a sample of value 1 over its frames. */
export function dumpTables(goroutines: readonly Goroutine[], timeNanos = 0): ProfileTables {
  const funcIds = new Map<string, number>();
  const funcName: string[] = [];
  const funcFile: string[] = [];
  const locIds = new Map<string, number>();
  const frameFunc: number[] = [];
  const frameLine: number[] = [];
  const sampleLocStart = [0];
  const sampleLocs: number[] = [];
  for (const g of goroutines) {
    for (const frame of g.frames) {
      const fKey = `${frame.function}\u0000${frame.file}`;
      let fn = funcIds.get(fKey);
      if (fn === undefined) {
        fn = funcName.length;
        funcIds.set(fKey, fn);
        funcName.push(frame.function);
        funcFile.push(frame.file);
      }
      const lKey = `${fn}:${frame.line}`;
      let loc = locIds.get(lKey);
      if (loc === undefined) {
        loc = frameFunc.length;
        locIds.set(lKey, loc);
        frameFunc.push(fn);
        frameLine.push(frame.line);
      }
      sampleLocs.push(loc);
    }
    sampleLocStart.push(sampleLocs.length);
  }
  // One frame per location: a dump prints inlined calls as frames of their own.
  const locFrameStart = Uint32Array.from({ length: frameFunc.length + 1 }, (_, i) => i);
  return {
    sampleTypes: [{ type: 'goroutine', unit: 'count' }],
    defaultSampleType: undefined,
    periodType: { type: 'goroutine', unit: 'count' },
    period: 1,
    timeNanos,
    durationNanos: 0,
    funcName,
    funcFile,
    locFrameStart,
    frameFunc: Uint32Array.from(frameFunc),
    frameLine: Uint32Array.from(frameLine),
    sampleCount: goroutines.length,
    sampleLocStart: Uint32Array.from(sampleLocStart),
    sampleLocs: Uint32Array.from(sampleLocs),
    values: new Float64Array(goroutines.length).fill(1),
  };
}

type CreationSite = NonNullable<ProfileFeatures['creationSites']>[number];

/** Goroutines by `created by` site, most first; with a baseline dump, how many each site added. */
export function creationSites(
  goroutines: readonly Goroutine[],
  baseline: readonly Goroutine[] | undefined,
  repoFileOf: RepoFileOf | undefined,
  topN = 10,
): CreationSite[] {
  const count = (list: readonly Goroutine[]) => {
    const sites = new Map<string, { function: string; file: string; line: number; count: number }>();
    for (const g of list) {
      if (g.createdBy === undefined) continue;
      const { function: fn, file, line } = g.createdBy;
      const key = `${fn}\u0000${file}:${line}`;
      const site = sites.get(key) ?? { function: fn, file, line, count: 0 };
      site.count++;
      sites.set(key, site);
    }
    return sites;
  };
  const now = count(goroutines);
  const before = baseline === undefined ? undefined : count(baseline);
  return [...now.entries()]
    .map(([key, site]): CreationSite => {
      const repoFile = repoFileOf?.(site.file, site.function);
      const was = before?.get(key)?.count;
      return {
        ...site,
        ...(repoFile === undefined ? {} : { repoFile }),
        ...(before === undefined ? {} : { before: was ?? 0, delta: site.count - (was ?? 0) }),
      };
    })
    .sort((a, b) => (b.delta ?? b.count) - (a.delta ?? a.count) || b.count - a.count)
    .slice(0, topN);
}
