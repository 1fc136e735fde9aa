/** Profile artifacts of an incident: decoded (pprof or goroutine dump), featured, and paired by kind for growth. */
import { readFile } from 'node:fs/promises';
import { IngestError } from '../core/errors.js';
import type { ArtifactRef, Failure, ProfileFeatures, ProfileKind } from '../core/model.js';
import { decodeProfile } from './pprof/decode.js';
import { creationSites, dumpTables, looksLikeGoroutineDump } from './pprof/dump.js';
import { computeFeatures } from './pprof/features.js';
import { flameTree } from './pprof/flame.js';
import { computeGrowth } from './pprof/growth.js';
import { resolveKind } from './pprof/kind.js';
import type { ProfileTables } from './pprof/tables.js';
import type { RepoFiles } from './repo-files.js';
import { parseFailures } from './traceback/index.js';

export type ProfileRef = Extract<ArtifactRef, { kind: 'profile' }>;

export interface LoadedProfile {
  ref: ProfileRef;
  kind: ProfileKind;
  tables: ProfileTables;
  /** Milliseconds since the epoch when it was taken: the profile's own clock, else incident.json's. */
  takenAtMs: number | undefined;
  /** For goroutine debug=2 dumps: the parsed dump (goroutines with states and `created by`). */
  dump?: Failure;
}

/** Reads one profile artifact; a goroutine debug=2 text dump goes through the traceback parser. */
export async function loadProfile(path: string, ref: ProfileRef, repo: RepoFiles): Promise<LoadedProfile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new IngestError(
      'MEDIC_ERR_INGEST_ARTIFACT_UNREADABLE',
      `cannot read ${ref.path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const declaredAt = ref.takenAt === undefined ? undefined : Date.parse(ref.takenAt);
  if (looksLikeGoroutineDump(bytes)) {
    if (ref.profile !== 'goroutine') {
      throw new IngestError(
        'MEDIC_ERR_INGEST_PROFILE_KIND_MISMATCH',
        `${ref.path} is a goroutine dump (debug=2 text) but is declared a ${ref.profile} profile`,
      );
    }
    const failures = parseFailures(bytes.toString('utf8'), {
      artifact: ref.path,
      repoRoot: repo.root,
      ...(repo.modulePath === undefined ? {} : { modulePath: repo.modulePath }),
    });
    const goroutines = failures.flatMap((f) => f.goroutines);
    if (goroutines.length === 0) {
      throw new IngestError(
        'MEDIC_ERR_INGEST_PROFILE_CORRUPT',
        `${ref.path} looks like a goroutine dump but holds no goroutine`,
      );
    }
    const dump = failures[0]!;
    return {
      ref,
      kind: 'goroutine',
      tables: dumpTables(goroutines, declaredAt === undefined ? 0 : declaredAt * 1e6),
      takenAtMs: declaredAt,
      dump: { ...dump, goroutines },
    };
  }
  const tables = decodeProfile(bytes, ref.path);
  const kind = resolveKind(tables, ref.profile, ref.path);
  return { ref, kind, tables, takenAtMs: tables.timeNanos > 0 ? tables.timeNanos / 1e6 : declaredAt };
}

/**
 * Features of every profile; within a kind, profiles are ordered by time and each one after
 * the first gets its growth against the first (the baseline), so the last shows the whole leak.
 */
export function featuresOf(profiles: readonly LoadedProfile[], repo: RepoFiles): ProfileFeatures[] {
  const repoFileOf = repo.repoFileOf;
  const out: ProfileFeatures[] = [];
  for (const group of byKind(profiles)) {
    const base = group[0];
    for (const p of group) {
      const features = computeFeatures(p.tables, { kind: p.kind, artifact: p.ref.path, repoFileOf });
      const vi = p.tables.sampleTypes.findIndex((t) => t.type === features.valueType.type);
      features.flame = flameTree(p.tables, vi);
      if (p.takenAtMs !== undefined && features.takenAt === undefined) {
        features.takenAt = new Date(p.takenAtMs).toISOString();
      }
      if (p.dump) features.creationSites = creationSites(p.dump.goroutines, undefined, repoFileOf);
      if (base !== undefined && p !== base) {
        const interval =
          p.takenAtMs !== undefined && base.takenAtMs !== undefined
            ? Math.max(0, (p.takenAtMs - base.takenAtMs) / 1000)
            : 0;
        features.growth = computeGrowth(base.tables, p.tables, {
          baselineArtifact: base.ref.path,
          intervalSeconds: interval,
          valueType: features.valueType.type,
          repoFileOf,
        });
        if (p.dump && base.dump)
          features.creationSites = creationSites(p.dump.goroutines, base.dump.goroutines, repoFileOf);
      }
      out.push(features);
    }
  }
  return out;
}

/** Groups by kind (and by dump versus protobuf: their stacks are not comparable), each group by time. */
function byKind(profiles: readonly LoadedProfile[]): LoadedProfile[][] {
  const groups = new Map<string, LoadedProfile[]>();
  for (const p of profiles) {
    const key = `${p.kind}/${p.dump ? 'dump' : 'pprof'}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  // Without a time on every profile, the order of incident.json is the order taken.
  return [...groups.values()].map((g) =>
    g.every((p) => p.takenAtMs !== undefined) ? [...g].sort((a, b) => a.takenAtMs! - b.takenAtMs!) : g,
  );
}
