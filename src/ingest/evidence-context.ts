/** What every evidence builder shares: the item log, the suspect board and the repository's files. */
import type { CodeLocation, Failure, Frame, Goroutine } from '../core/model.js';
import type { RepoFiles } from './repo-files.js';
import type { ItemLog, SuspectBoard } from './suspects.js';

export interface EvidenceContext {
  log: ItemLog;
  board: SuspectBoard;
  repo: RepoFiles;
}

export function crashedGoroutine(failure: Failure): Goroutine | undefined {
  if (failure.crashedGoroutineId !== undefined) {
    const g = failure.goroutines.find((x) => x.id === failure.crashedGoroutineId);
    if (g) return g;
  }
  // Fatal errors name no goroutine; the runtime prints the faulting one first.
  return failure.kind === 'dump' ? undefined : failure.goroutines[0];
}

/** A frame as a repository location, when its code is the repository's. */
export function frameLocation(frame: Frame, repo: RepoFiles): CodeLocation | undefined {
  if (frame.line < 1) return undefined;
  const file = frame.repoFile ?? repo.repoFileOf(frame.file, frame.function);
  return file === undefined ? undefined : { file, line: frame.line, function: frame.function };
}

export function appLocations(frames: readonly Frame[], repo: RepoFiles): CodeLocation[] {
  return frames.flatMap((f) => frameLocation(f, repo) ?? []);
}

export function createdByLocation(g: Goroutine, repo: RepoFiles): CodeLocation | undefined {
  const c = g.createdBy;
  if (c === undefined || c.line < 1) return undefined;
  const file = repo.repoFileOf(c.file, c.function);
  return file === undefined ? undefined : { file, line: c.line, function: c.function };
}
