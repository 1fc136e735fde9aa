/** The ingest stage: reads an incident's artifacts (panic logs, profiles, trace) and fuses them into Evidence. */
import { readFile } from 'node:fs/promises';
import { IngestError } from '../core/errors.js';
import { artifactPath } from '../core/incident-dir.js';
import type { ArtifactRef, Evidence, Failure, Incident, TraceFeatures } from '../core/model.js';
import { type Progress, silent } from '../core/progress.js';
import { fuse } from './fuse.js';
import { openGitHistory } from './git-changes.js';
import { featuresOf, type LoadedProfile, loadProfile } from './profiles.js';
import { loadRepoFiles, type RepoFiles } from './repo-files.js';
import { computeTraceFeatures } from './trace/features.js';
import { readTrace, type TraceFile } from './trace/read.js';
import { parseFailures, readModulePath } from './traceback/index.js';

export * from './alert/index.js';
export { decodeProfile } from './pprof/decode.js';
export { computeFeatures } from './pprof/features.js';
export { computeGrowth } from './pprof/growth.js';
export { resolveKind } from './pprof/kind.js';
export { findLeaks } from './profile-evidence.js';
export { renderEvidence } from './render.js';
export { formatCounts, parseProbeSpecs, recordTrace } from './trace/collector-record.js';
export { computeTraceFeatures } from './trace/features.js';
export { parseTrace, readTrace } from './trace/read.js';
export { type ParseOptions, parseFailures, readModulePath, signatureOf } from './traceback/index.js';

export interface IngestOptions {
  /** The incident directory; artifact paths are relative to it. */
  incidentDir: string;
  /** The service's source, read (never written) to map frames to files and to read git history. */
  repoDir: string;
  onProgress?: Progress;
}

/**
 * Reads every artifact the incident names and fuses them. Throws IngestError:
 * MEDIC_ERR_INGEST_NO_FAILURE when nothing failed, _PROFILE_CORRUPT / _PROFILE_KIND_MISMATCH /
 * _PROFILE_TOO_LARGE for a bad profile, _TRACE_INVALID for a bad trace, _ARTIFACT_UNREADABLE.
 */
export async function ingest(incident: Incident, opts: IngestOptions): Promise<Evidence> {
  const progress = opts.onProgress ?? silent;
  const modulePath = await readModulePath(opts.repoDir);
  const repo = await loadRepoFiles(opts.repoDir, modulePath);
  const failures: Failure[] = [];
  const loaded: LoadedProfile[] = [];
  const traces: { file: TraceFile; path: string; generated: boolean }[] = [];
  for (const ref of incident.artifacts) {
    const path = artifactPath(opts.incidentDir, ref);
    if (ref.kind === 'panic-log' || ref.kind === 'log') {
      progress(`parsing ${ref.path}`);
      failures.push(...(await readFailures(path, ref, repo)));
    } else if (ref.kind === 'profile') {
      progress(`decoding ${ref.profile} profile ${ref.path}`);
      loaded.push(await loadProfile(path, ref, repo));
    } else if (ref.kind === 'trace') {
      progress(`reading trace ${ref.path}`);
      traces.push({ file: await readTrace(path, ref.path), path: ref.path, generated: ref.generated });
    }
  }
  const profiles = featuresOf(loaded, repo);
  const trace = traceFeatures(traces);
  const git = await openGitHistory(opts.repoDir);
  if (git === undefined)
    progress(`${opts.repoDir} is not the top of a git work tree: no recent-change evidence`);
  return fuse({
    incidentId: incident.id,
    failures,
    dumps: orderedDumps(
      loaded,
      profiles.map((p) => p.artifact),
    ),
    profiles,
    trace,
    repo,
    git,
    onProgress: progress,
  });
}

async function readFailures(path: string, ref: ArtifactRef, repo: RepoFiles): Promise<Failure[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new IngestError(
      'MEDIC_ERR_INGEST_ARTIFACT_UNREADABLE',
      `cannot read ${ref.path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseFailures(text, {
    artifact: ref.path,
    repoRoot: repo.root,
    ...(repo.modulePath === undefined ? {} : { modulePath: repo.modulePath }),
  });
}

/** Goroutine dumps in the order features put them (oldest first within their kind). */
function orderedDumps(loaded: readonly LoadedProfile[], order: readonly string[]): Failure[] {
  return loaded
    .filter((p): p is LoadedProfile & { dump: Failure } => p.dump !== undefined)
    .sort((a, b) => order.indexOf(a.ref.path) - order.indexOf(b.ref.path))
    .map((p) => p.dump);
}

/** Several traces of one incident (one per process or per recording) are read as one stream of events. */
function traceFeatures(
  traces: { file: TraceFile; path: string; generated: boolean }[],
): TraceFeatures | undefined {
  if (traces.length === 0) return undefined;
  const file: TraceFile = { header: traces[0]?.file.header, events: traces.flatMap((t) => t.file.events) };
  return computeTraceFeatures(file, {
    artifact: traces.map((t) => t.path).join(', '),
    generated: traces.some((t) => t.generated || t.file.header?.generated === true),
  });
}
