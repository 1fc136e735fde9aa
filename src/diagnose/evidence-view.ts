/** Read-only helpers over an Evidence record: the crashing stack, application frames, citable items. */
import { posix } from 'node:path';
import { splitRuntimeName } from '../core/go-names.js';
import {
  type CodeLocation,
  type Evidence,
  type EvidenceItem,
  type Failure,
  FailureClass,
  type Frame,
  type Goroutine,
} from '../core/model.js';
import type { SourceIndex } from './ports.js';

export function crashedGoroutine(failure: Failure): Goroutine | undefined {
  if (failure.crashedGoroutineId !== undefined) {
    const found = failure.goroutines.find((g) => g.id === failure.crashedGoroutineId);
    if (found) return found;
  }
  // Fatal errors name no goroutine; the runtime prints the faulting one first.
  return failure.goroutines[0];
}

/** A frame's repository-relative file: ingest's mapping, else the module path, else a path suffix. */
export async function repoFileOf(frame: Frame, source: SourceIndex): Promise<string | undefined> {
  if (frame.repoFile !== undefined) return frame.repoFile;
  if (frame.kind === 'stdlib' || frame.kind === 'runtime' || frame.kind === 'dependency') return undefined;
  const mod = await source.modulePath();
  const base = posix.basename(frame.file.replaceAll('\\', '/'));
  if (mod !== undefined && (frame.package === mod || frame.package.startsWith(`${mod}/`))) {
    const dir = frame.package.slice(mod.length + 1);
    const candidate = dir === '' ? base : `${dir}/${base}`;
    if (await source.lines(candidate)) return candidate;
  }
  // -trimpath or a build elsewhere: the longest tail of the printed path that exists here.
  const parts = frame.file.replaceAll('\\', '/').split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const candidate = parts.slice(i).join('/');
    if (await source.lines(candidate)) return candidate;
  }
  return undefined;
}

/** The frame as a location in the repository, when it belongs there. */
export async function frameLocation(frame: Frame, source: SourceIndex): Promise<CodeLocation | undefined> {
  if (frame.line < 1) return undefined;
  const file = await repoFileOf(frame, source);
  return file === undefined ? undefined : { file, line: frame.line, function: frame.function };
}

/** Application frames of a stack (innermost first), as repository locations. */
export async function appLocations(frames: readonly Frame[], source: SourceIndex): Promise<CodeLocation[]> {
  const out: CodeLocation[] = [];
  for (const frame of frames) {
    const loc = await frameLocation(frame, source);
    if (loc) out.push(loc);
  }
  return out;
}

export function sameLocation(a: CodeLocation, b: CodeLocation): boolean {
  return a.file === b.file && a.line === b.line && a.function === b.function;
}

/** Same function in the same file; lines may drift between builds and answers. */
export function sameFunction(a: CodeLocation, b: CodeLocation): boolean {
  return a.file === b.file && a.function === b.function;
}

/** Appends locations not already present (by file, line and function), keeping order. */
export function pushUnique(list: CodeLocation[], ...locs: CodeLocation[]): void {
  for (const loc of locs) if (!list.some((l) => sameLocation(l, loc))) list.push(loc);
}

/** Items that speak about this location: same file and line, or same function. */
export function itemsAbout(evidence: Evidence, loc: CodeLocation): EvidenceItem[] {
  return evidence.items.filter(
    (item) =>
      item.location !== undefined &&
      item.location.file === loc.file &&
      (item.location.line === loc.line || item.location.function === loc.function),
  );
}

/** Evidence ids the suspect list gives for this location. */
export function suspectReasonIds(evidence: Evidence, loc: CodeLocation): string[] {
  const ids: string[] = [];
  for (const s of evidence.suspects) {
    if (!sameFunction(s.location, loc)) continue;
    for (const r of s.reasons) if (!ids.includes(r.evidenceId)) ids.push(r.evidenceId);
  }
  return ids;
}

/** Every repository location the failure's path touches, plus the suspects: what a blame may name. */
export async function failurePath(evidence: Evidence, source: SourceIndex): Promise<CodeLocation[]> {
  const out: CodeLocation[] = [];
  for (const failure of [evidence.failure, ...evidence.otherFailures]) {
    if (!failure) continue;
    for (const g of failure.goroutines) {
      pushUnique(out, ...(await appLocations(g.frames, source)));
      if (g.createdBy) {
        const created = await frameLocation(createdByFrame(g.createdBy), source);
        if (created) pushUnique(out, created);
      }
    }
    for (const race of failure.races) {
      for (const access of race.accesses) pushUnique(out, ...(await appLocations(access.frames, source)));
      for (const g of race.goroutines) pushUnique(out, ...(await appLocations(g.createdAt, source)));
    }
  }
  for (const s of evidence.suspects) pushUnique(out, s.location);
  for (const item of evidence.items) if (item.location) pushUnique(out, item.location);
  return out;
}

/** `created by` lines carry no package split; enough of a Frame to map the file. */
export function createdByFrame(c: { function: string; file: string; line: number }): Frame {
  const { packagePath, symbol } = splitRuntimeName(c.function);
  return {
    function: c.function,
    // A name without a package (never printed by the runtime) stays whole as the package.
    package: packagePath === '' ? c.function : packagePath,
    name: packagePath === '' ? '' : symbol,
    file: c.file,
    line: c.line,
    inlined: false,
    kind: 'unknown',
  };
}

/** The failure class the evidence shows: the parsed failure's, else ingest's (leaks), else what grew in the profiles. */
export function classOf(evidence: Evidence): FailureClass {
  if (evidence.failure && evidence.failure.class !== 'unknown') return evidence.failure.class;
  if (evidence.class !== undefined && evidence.class !== 'unknown') return evidence.class;
  const grew = (kind: string) =>
    evidence.profiles.some((p) => p.kind === kind && (p.growth?.stacks.length ?? 0) > 0);
  if (grew('goroutine')) return 'goroutine-leak';
  if (grew('heap') || grew('allocs')) return 'heap-leak';
  const fromSignature = FailureClass.safeParse(evidence.signature.split(/[|:\s]/)[0]);
  return fromSignature.success ? fromSignature.data : (evidence.failure?.class ?? 'unknown');
}

/** Untrusted text clipped for quoting in explanations (and redacted by the caller). */
export function clip(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
