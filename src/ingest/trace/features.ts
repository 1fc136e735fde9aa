/** TraceFeatures from trace events: rates per probe, spawn sites, GC intervals, jitter, the panicking goroutine. */
import {
  SCHEMA_VERSION,
  type TraceEvent,
  type TraceFeatures,
  type TraceFrame,
  TraceProbe,
} from '../../core/model.js';
import { dedupeEvents } from './dedupe.js';
import type { TraceFile } from './read.js';

type Lane = TraceFeatures['timelines'][number];
type SpawnSite = TraceFeatures['spawnSites'][number];

export interface TraceFeatureOptions {
  artifact: string;
  /** Set when the incident marks the trace as generated; a generator's header also sets it. */
  generated?: boolean;
  /** Goroutine lanes and events per lane kept for the timeline. Defaults 20 and 50. */
  maxLanes?: number;
  maxLaneEvents?: number;
}

/** A site is an outlier when it spawned at least this many goroutines and stands out (see spawnSites). */
const OUTLIER_MIN_COUNT = 10;
const OUTLIER_Z = 2;
const OUTLIER_MEDIAN_RATIO = 5;

export function computeTraceFeatures(file: TraceFile, options: TraceFeatureOptions): TraceFeatures {
  const { events, removed } = dedupeEvents(file.events);
  const first = events[0]?.timeNs ?? 0;
  const durationNs = events.length > 0 ? (events.at(-1)?.timeNs ?? first) - first : 0;
  const seconds = durationNs / 1e9;
  const rate = (count: number) => (seconds > 0 ? count / seconds : 0);
  const gaps = stats(intervals(events.map((e) => e.timeNs)));
  return {
    schemaVersion: SCHEMA_VERSION,
    artifact: options.artifact,
    generated: (options.generated ?? false) || (file.header?.generated ?? false),
    durationNs,
    eventCount: events.length,
    duplicatesRemoved: removed,
    probes: TraceProbe.options.map((probe) => {
      const count = events.filter((e) => e.probe === probe).length;
      return { probe, count, ratePerSec: rate(count) };
    }),
    spawnSites: spawnSites(events, rate),
    gc: gcStats(events),
    functionRates: countBy(events.filter((e) => e.probe === 'user-function').map((e) => e.function ?? '?'))
      .slice(0, 50)
      .map(([fn, count]) => ({ function: fn, count, ratePerSec: rate(count) })),
    jitterMs: gaps.std / 1e6,
    meanGapMs: gaps.mean / 1e6,
    ...panicOf(events),
    timelines: timelines(events, options.maxLanes ?? 20, options.maxLaneEvents ?? 50),
  };
}

/** The `go` statement's site: the first frame of the creator's stack outside the runtime. */
export function callSite(event: TraceEvent): TraceFrame | undefined {
  return event.stack.find((f) => !f.function.startsWith('runtime.'));
}

function siteName(event: TraceEvent): string {
  const frame = callSite(event);
  if (frame === undefined) return `go ${event.function ?? '?'}`;
  return frame.file === undefined ? frame.function : `${frame.function} (${frame.file}:${frame.line ?? 0})`;
}

/**
 * Goroutine creation by call site. zScore is against the mean and standard deviation of all
 * sites' counts; a site is an outlier with at least 10 spawns and either z ≥ 2 or five times
 * the median of the other sites (z-scores cannot single out one of two or three sites).
 */
function spawnSites(events: TraceEvent[], rate: (n: number) => number): SpawnSite[] {
  const bySite = new Map<string, { count: number; frame: TraceFrame | undefined; started: Set<string> }>();
  for (const e of events) {
    if (e.probe !== 'goroutine-create') continue;
    const name = siteName(e);
    const entry = bySite.get(name) ?? { count: 0, frame: callSite(e), started: new Set<string>() };
    entry.count++;
    if (e.function !== undefined && entry.started.size < 5) entry.started.add(e.function);
    bySite.set(name, entry);
  }
  const counts = [...bySite.values()].map((s) => s.count);
  const { mean, std } = stats(counts);
  const sites = [...bySite.entries()].map(([site, s], index): SpawnSite => {
    const zScore = std > 0 ? (s.count - mean) / std : 0;
    const others = counts.filter((_, i) => i !== index);
    const ratio = others.length > 0 ? s.count / Math.max(1, median(others)) : 0;
    return {
      site,
      ...(s.frame ? { frame: s.frame } : {}),
      ...(s.started.size > 0 ? { started: [...s.started] } : {}),
      count: s.count,
      ratePerSec: rate(s.count),
      zScore,
      outlier: s.count >= OUTLIER_MIN_COUNT && (zScore >= OUTLIER_Z || ratio >= OUTLIER_MEDIAN_RATIO),
    };
  });
  return sites.sort((a, b) => b.count - a.count || a.site.localeCompare(b.site)).slice(0, 20);
}

function gcStats(events: TraceEvent[]): TraceFeatures['gc'] {
  const times = events.filter((e) => e.probe === 'gc-start').map((e) => e.timeNs);
  const s = stats(intervals(times));
  return { count: times.length, meanIntervalMs: s.mean / 1e6, stdIntervalMs: s.std / 1e6 };
}

/** The first panic, and what its goroutine did just before (at most 10 events, oldest first). */
function panicOf(events: TraceEvent[]): Pick<TraceFeatures, 'panic'> {
  const index = events.findIndex((e) => e.probe === 'panic');
  const p = events[index];
  if (p === undefined) return {};
  const before = events
    .slice(0, index)
    .filter((e) => e.goid === p.goid)
    .slice(-10)
    .map((e) => ({ timeNs: e.timeNs, probe: e.probe, ...(e.function ? { function: e.function } : {}) }));
  return {
    panic: {
      goid: p.goid,
      type: p.panic?.type ?? '',
      message: p.panic?.message ?? '',
      timeNs: p.timeNs,
      stack: p.stack,
      before,
    },
  };
}

/** Lanes for the goroutines with the most events, the panicking one first; the latest events of each. */
function timelines(events: TraceEvent[], maxLanes: number, maxEvents: number): Lane[] {
  const lanes = new Map<number, Lane>();
  for (const e of events) {
    const lane = lanes.get(e.goid) ?? { goid: e.goid, events: [] };
    if (lane.parentGoid === undefined && e.parentGoid !== undefined) lane.parentGoid = e.parentGoid;
    lane.events.push({ timeNs: e.timeNs, probe: e.probe, ...(e.function ? { function: e.function } : {}) });
    lanes.set(e.goid, lane);
  }
  const panicked = events.find((e) => e.probe === 'panic')?.goid;
  return [...lanes.values()]
    .sort(
      (a, b) =>
        Number(b.goid === panicked) - Number(a.goid === panicked) || b.events.length - a.events.length,
    )
    .slice(0, maxLanes)
    .map((lane) => ({ ...lane, events: lane.events.slice(-maxEvents) }));
}

function intervals(times: number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(times[i]! - times[i - 1]!);
  return out;
}

/** Mean and population standard deviation; zeros for an empty list. */
export function stats(values: number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function countBy(keys: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
