/** Locators: how each kind of failure points at the code to blame, read from Evidence and the source. */
import type { Evidence, Failure, Frame, Goroutine } from '../../core/model.js';
import { appLocations, crashedGoroutine, pushUnique, sameFunction } from '../evidence-view.js';
import type { SourceIndex } from '../ports.js';
import type { BlockKind, Located } from './facts.js';
import { blockKindOf, type Locator, withSuspects } from './locate-common.js';
import { heap, leak } from './locate-growth.js';

export type LocatorName = 'crash' | 'map-writers' | 'race' | 'deadlock' | 'leak' | 'heap' | 'recursion';

/** After a recover-and-repanic the fault lies below the last `panic(...)` frame; the handler sits above it. */
export function framesOfFault(frames: readonly Frame[]): Frame[] {
  let start = 0;
  frames.forEach((f, i) => {
    if (f.function === 'panic' || f.function === 'runtime.gopanic') start = i + 1;
  });
  return frames.slice(start);
}

async function fromGoroutine(ev: Evidence, g: Goroutine, src: SourceIndex, directness: number) {
  const locs = await appLocations(framesOfFault(g.frames), src);
  const [primary, ...rest] = locs;
  if (!primary) return undefined;
  const located: Located = {
    primary,
    stack: locs,
    alternatives: withSuspects(ev, rest, primary),
    facts: {
      goroutineId: g.id,
      goroutineState: g.state,
      ...(rest[0] ? { caller: rest[0] } : {}),
    },
    directness,
  };
  return located;
}

const crash: Locator = async (ev, src) => {
  const g = ev.failure ? crashedGoroutine(ev.failure) : undefined;
  return g ? fromGoroutine(ev, g, src, 1) : undefined;
};

/** `concurrent map writes`: the goroutine that tripped the check, and the other writers the dump shows. */
const mapWriters: Locator = async (ev, src) => {
  const f = ev.failure;
  const g = f ? crashedGoroutine(f) : undefined;
  if (!f || !g) return undefined;
  const found = await fromGoroutine(ev, g, src, 0.9);
  if (!found) return undefined;
  for (const other of f.goroutines) {
    if (other.id === g.id) continue;
    const [top] = await appLocations(framesOfFault(other.frames), src);
    if (!top) continue;
    if (!found.facts.other) {
      found.facts.other = top;
      found.facts.otherGoroutineId = other.id;
    }
    pushUnique(found.alternatives, top);
  }
  found.alternatives = found.alternatives.filter((l) => !sameFunction(l, found.primary));
  return found;
};

/** Race reports: blame the write (the current access when both write); the other access is the peer. */
const race: Locator = async (ev, src) => {
  const report = [ev.failure, ...ev.otherFailures].flatMap((f) => f?.races ?? [])[0];
  if (!report) return undefined;
  const sides = await Promise.all(
    report.accesses.map(async (a) => ({ a, locs: await appLocations(a.frames, src) })),
  );
  const usable = sides.filter((s) => s.locs.length > 0);
  const blamed = usable.find((s) => s.a.kind === 'write') ?? usable[0];
  if (!blamed) return undefined;
  const peer = usable.find((s) => s !== blamed);
  const [primary, ...rest] = blamed.locs;
  if (!primary) return undefined;
  const alternatives = peer ? [...peer.locs.slice(0, 1), ...rest] : rest;
  return {
    primary,
    alternatives: withSuspects(ev, alternatives, primary),
    facts: {
      goroutineId: blamed.a.goroutineId,
      ...(peer?.locs[0] ? { other: peer.locs[0], otherGoroutineId: peer.a.goroutineId } : {}),
      ...(peer ? { accessKinds: [blamed.a.kind, peer.a.kind] as [string, string] } : {}),
      count: ev.failure?.races.length ?? 1,
    },
    directness: 1,
  };
};

/** The order in which blocked goroutines are likely culprits rather than victims. */
const blockRank: Record<BlockKind, number> = {
  mutex: 0,
  rwmutex: 0,
  channel: 1,
  select: 2,
  cond: 3,
  waitgroup: 4,
  other: 5,
};

function blocked(f: Failure): Array<{ g: Goroutine; kind: BlockKind }> {
  const out: Array<{ g: Goroutine; kind: BlockKind }> = [];
  for (const g of f.goroutines) {
    const kind = blockKindOf(g.state);
    if (kind) out.push({ g, kind });
  }
  return out.sort((a, b) => blockRank[a.kind] - blockRank[b.kind] || a.g.id - b.g.id);
}

/** All goroutines asleep: the goroutine blocked on the most culprit-like primitive, peers as runners-up. */
const deadlock: Locator = async (ev, src) => {
  const f = ev.failure;
  if (!f) return undefined;
  const waiting = blocked(f);
  for (const [i, w] of waiting.entries()) {
    const found = await fromGoroutine(ev, w.g, src, 0.8);
    if (!found) continue;
    found.facts.blockKind = w.kind;
    found.facts.count = waiting.filter((x) => x.kind === w.kind).length;
    for (const peer of waiting.slice(i + 1)) {
      const [top] = await appLocations(peer.g.frames, src);
      if (!top || sameFunction(top, found.primary)) continue;
      if (!found.facts.other) {
        found.facts.other = top;
        found.facts.otherGoroutineId = peer.g.id;
      }
      pushUnique(found.alternatives, top);
    }
    found.alternatives = found.alternatives.filter((l) => !sameFunction(l, found.primary));
    return found;
  }
  return undefined;
};

/** Stack overflow: the application function that repeats most on the overflowing stack. */
const recursion: Locator = async (ev, src) => {
  const g = ev.failure ? crashedGoroutine(ev.failure) : undefined;
  if (!g) return undefined;
  const locs = await appLocations(g.frames, src);
  const counts = new Map<string, number>();
  for (const l of locs) counts.set(l.function, (counts.get(l.function) ?? 0) + 1);
  const [fn, repeats] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (fn === undefined || repeats === undefined) return undefined;
  // The top frame sits in the prologue that grows the stack; the recursive call is the line that repeats.
  const lineCounts = new Map<number, number>();
  for (const l of locs) if (l.function === fn) lineCounts.set(l.line, (lineCounts.get(l.line) ?? 0) + 1);
  const line = [...lineCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const primary = locs.find((l) => l.function === fn && l.line === line);
  if (!primary) return undefined;
  const rest = locs.filter((l) => l.function !== fn);
  return {
    primary,
    alternatives: withSuspects(ev, rest, primary),
    facts: { repeats, goroutineId: g.id, ...(rest[0] ? { caller: rest[0] } : {}) },
    directness: 0.8,
  };
};

export const locators: Record<LocatorName, Locator> = {
  crash,
  'map-writers': mapWriters,
  race,
  deadlock,
  leak,
  heap,
  recursion,
};

/** When no locator applies: ingest's top suspect, weakly. */
export function fromSuspects(ev: Evidence): Located | undefined {
  const [top, ...rest] = ev.suspects;
  if (!top) return undefined;
  return {
    primary: top.location,
    alternatives: rest.map((s) => s.location),
    facts: { citations: top.reasons.map((r) => r.evidenceId) },
    directness: 0.4,
  };
}
