/** Profile kinds: which sample types each kind carries and which one Medic ranks by. */
import { IngestError } from '../../core/errors.js';
import type { ProfileKind } from '../../core/model.js';
import type { ProfileTables } from './tables.js';

/** The sample type each kind is ranked by, as `go tool pprof` picks it by default. */
const PREFERRED: Record<ProfileKind, string[]> = {
  cpu: ['cpu', 'samples'],
  // Leaks are about what stays live, so heap ranks by in-use space even though both are present.
  heap: ['inuse_space', 'inuse_objects', 'alloc_space'],
  allocs: ['alloc_space', 'alloc_objects', 'inuse_space'],
  goroutine: ['goroutine', 'goroutines'],
  mutex: ['delay', 'contentions'],
  block: ['delay', 'contentions'],
  threadcreate: ['threadcreate'],
};

/** Infers the kind from the sample types; heap and allocs (and mutex and block) share types. */
export function inferKind(t: ProfileTables): ProfileKind | undefined {
  const types = new Set(t.sampleTypes.map((s) => s.type));
  if (types.has('cpu') || (types.has('samples') && t.periodType?.type === 'cpu')) return 'cpu';
  if (types.has('inuse_space') || types.has('alloc_space')) {
    return t.defaultSampleType?.startsWith('alloc') ? 'allocs' : 'heap';
  }
  if (types.has('goroutine') || types.has('goroutines')) return 'goroutine';
  if (types.has('contentions') || types.has('delay')) {
    // Go names the period type of both "contentions"; the kind is told apart only by incident.json.
    return 'mutex';
  }
  if (types.has('threadcreate')) return 'threadcreate';
  return undefined;
}

const FAMILY: Record<ProfileKind, string> = {
  cpu: 'cpu',
  heap: 'memory',
  allocs: 'memory',
  goroutine: 'goroutine',
  mutex: 'contention',
  block: 'contention',
  threadcreate: 'threadcreate',
};

/**
 * The kind to use: the declared one when the sample types agree with it (heap and allocs,
 * mutex and block cannot be told apart by content), an error when they contradict it.
 */
export function resolveKind(
  t: ProfileTables,
  declared: ProfileKind | undefined,
  artifact: string,
): ProfileKind {
  const inferred = inferKind(t);
  if (declared === undefined) {
    if (inferred === undefined) {
      throw new IngestError(
        'MEDIC_ERR_INGEST_PROFILE_KIND_MISMATCH',
        `${artifact} has sample types ${describeTypes(t)}, which match no known profile kind`,
      );
    }
    return inferred;
  }
  if (inferred !== undefined && FAMILY[inferred] !== FAMILY[declared]) {
    throw new IngestError(
      'MEDIC_ERR_INGEST_PROFILE_KIND_MISMATCH',
      `${artifact} is declared a ${declared} profile but its sample types ${describeTypes(t)} are those of a ${inferred} profile`,
    );
  }
  return declared;
}

/** Index of the sample type to rank by for `kind` (pprof's own rule as the fallback: default, else last). */
export function valueIndex(t: ProfileTables, kind: ProfileKind): number {
  for (const name of PREFERRED[kind]) {
    const i = t.sampleTypes.findIndex((s) => s.type === name);
    if (i >= 0) return i;
  }
  if (t.defaultSampleType !== undefined) {
    const i = t.sampleTypes.findIndex((s) => s.type === t.defaultSampleType);
    if (i >= 0) return i;
  }
  return t.sampleTypes.length - 1;
}

function describeTypes(t: ProfileTables): string {
  return t.sampleTypes.map((s) => `${s.type}/${s.unit}`).join(', ');
}
