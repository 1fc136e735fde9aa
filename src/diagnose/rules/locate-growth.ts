/** Locators for failures seen in profiles and dumps: goroutine leaks and heap growth. */
import type { CodeLocation, Evidence, Frame, ProfileFeatures } from '../../core/model.js';
import { appLocations, frameLocation, pushUnique, sameFunction } from '../evidence-view.js';
import type { SourceIndex } from '../ports.js';
import type { Located } from './facts.js';
import { blockKindOf, type Locator, withSuspects } from './locate-common.js';

/** The line in a function where a goroutine would park, or where memory is taken: a best-effort source read. */
async function lineIn(src: SourceIndex, fn: string, pattern: RegExp): Promise<CodeLocation | undefined> {
  const span = await src.findFunction(fn);
  if (!span) return undefined;
  const lines = (await src.lines(span.file)) ?? [];
  for (let n = span.startLine + 1; n <= span.endLine; n++) {
    if (pattern.test(lines[n - 1] ?? '')) return { file: span.file, line: n, function: fn };
  }
  return { file: span.file, line: span.startLine, function: fn };
}

async function fromGrowth(
  ev: Evidence,
  src: SourceIndex,
  kinds: readonly string[],
  pattern: RegExp,
): Promise<Located | undefined> {
  const profiles = ev.profiles.filter(
    (p): p is ProfileFeatures & { growth: NonNullable<ProfileFeatures['growth']> } =>
      Boolean(p.growth && kinds.includes(p.kind)),
  );
  const stacks = profiles
    .flatMap((p) => p.growth.stacks.map((s) => ({ p, s })))
    .filter(({ s }) => s.delta > 0)
    .sort((a, b) => b.s.delta - a.s.delta);
  const found: CodeLocation[] = [];
  let first: (typeof stacks)[number] | undefined;
  for (const entry of stacks) {
    // Ingest names the innermost application frame when it could map it: the most exact place.
    if (entry.s.site && (await src.lines(entry.s.site.file))) {
      first ??= entry;
      pushUnique(found, entry.s.site);
      continue;
    }
    for (const fn of entry.s.stack) {
      const leafIsApp =
        fn === entry.s.leaf.function ? await frameLocation(leafFrame(entry.s.leaf), src) : undefined;
      const loc = leafIsApp ?? (await lineIn(src, fn, pattern));
      if (!loc) continue;
      first ??= entry;
      pushUnique(found, loc);
      break;
    }
  }
  const [primary, ...rest] = found;
  if (!primary || !first) return undefined;
  const { p, s } = first;
  return {
    primary,
    alternatives: withSuspects(ev, rest, primary),
    growthStack: s.stack,
    facts: {
      growth: {
        kind: p.kind,
        before: s.before,
        after: s.after,
        perMinute: s.perMinute,
        seconds: p.growth.intervalSeconds,
        unit: p.valueType.unit,
      },
      count: s.after,
      // The profile's own summary lines; items about other stacks of the same profile are not support.
      citations: ev.items
        .filter(
          (i) =>
            i.source === 'pprof' &&
            i.artifact === p.artifact &&
            (!i.location || sameFunction(i.location, primary)),
        )
        .map((i) => i.id),
    },
    directness: 0.7,
  };
}

function leafFrame(leaf: { function: string; file: string; line: number }): Frame {
  return {
    function: leaf.function,
    package: '',
    name: '',
    file: leaf.file,
    line: leaf.line,
    inlined: false,
    kind: 'unknown',
  };
}

const PARK = /<-|\bselect\b|\.Wait\(|\.Lock\(|\.RLock\(|time\.Sleep/;
const ALLOC = /\bappend\(|\bmake\(|\bnew\(|\[[^\]]+\]\s*=[^=]|&[A-Z]\w*\{/;

/** Goroutine leaks: the largest bucket of parked goroutines in a dump, else the stacks that grew between profiles. */
export const leak: Locator = async (ev, src) => {
  for (const f of [ev.failure, ...ev.otherFailures]) {
    const bucket = [...(f?.buckets ?? [])].sort((a, b) => b.ids.length - a.ids.length)[0];
    if (!f || !bucket || bucket.ids.length < 2) continue;
    const locs = await appLocations(bucket.frames, src);
    const [primary, ...rest] = locs;
    if (!primary) continue;
    const kind = blockKindOf(bucket.state);
    return {
      primary,
      alternatives: withSuspects(ev, rest, primary),
      facts: { count: bucket.ids.length, goroutineState: bucket.state, ...(kind ? { blockKind: kind } : {}) },
      directness: 0.8,
    };
  }
  return fromGrowth(ev, src, ['goroutine'], PARK);
};

export const heap: Locator = (ev, src) => fromGrowth(ev, src, ['heap', 'allocs'], ALLOC);
