/**
 * Artifacts gathered at intake: read from the service's configured sources (a pprof URL, the tail
 * of a log file) or decoded from an upload, then stored in the ledger under `artifacts/<name>`.
 * A source that fails is reported, never fatal: the incident goes on with what could be read.
 */
import { open, stat } from 'node:fs/promises';
import { ServiceError } from '../core/errors.js';
import type { ArtifactRef, ProfileKind } from '../core/model.js';
import type { ApiArtifact } from './api-schema.js';
import type { ArtifactSource } from './config.js';

export interface Gathered {
  ref: ArtifactRef;
  content: Buffer;
  /** Where it came from (URL, file, `upload`), for the audit trail. */
  origin: string;
}

export interface ArtifactSpec {
  kind: ArtifactRef['kind'];
  profile?: ProfileKind | undefined;
  takenAt?: string;
  url?: string;
}

/** The ArtifactRef of content stored at `path` (relative to the incident directory and the blob store). */
export function refOf(spec: ArtifactSpec, path: string): ArtifactRef {
  switch (spec.kind) {
    case 'profile':
      return {
        kind: 'profile',
        path,
        profile: spec.profile ?? 'heap',
        ...(spec.takenAt ? { takenAt: spec.takenAt } : {}),
        ...(spec.url ? { url: spec.url } : {}),
      };
    case 'trace':
      return { kind: 'trace', path, generated: false };
    case 'panic-log':
      return { kind: 'panic-log', path };
    default:
      return { kind: spec.kind, path };
  }
}

/** A file name for the n-th artifact of a kind: `artifacts/03-profile-heap.pprof`. */
export function artifactPath(index: number, spec: ArtifactSpec): string {
  const ext =
    spec.kind === 'profile'
      ? 'pprof'
      : spec.kind === 'trace' || spec.kind === 'traffic'
        ? 'ndjson'
        : spec.kind.endsWith('log')
          ? 'log'
          : 'json';
  const name = spec.kind === 'profile' ? `profile-${spec.profile ?? 'heap'}` : spec.kind;
  return `artifacts/${String(index).padStart(2, '0')}-${name}.${ext}`;
}

/** Reads one configured source; throws MEDIC_ERR_SERVICE_ARTIFACT_FETCH naming it. */
export async function readSource(
  source: ArtifactSource,
  timeoutMs: number,
): Promise<{ content: Buffer; origin: string }> {
  if (source.file !== undefined)
    return { content: await tail(source.file, source.maxBytes), origin: source.file };
  const url = source.url ?? '';
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new ServiceError('MEDIC_ERR_SERVICE_ARTIFACT_FETCH', `GET ${url}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new ServiceError('MEDIC_ERR_SERVICE_ARTIFACT_FETCH', `GET ${url} answered ${response.status}`);
  }
  return { content: await readCapped(response, source.maxBytes, url), origin: url };
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ServiceError('MEDIC_ERR_SERVICE_ARTIFACT_FETCH', `GET ${url}: more than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The last `maxBytes` of a file (a log's newest lines), starting at a line boundary when cut. */
async function tail(file: string, maxBytes: number): Promise<Buffer> {
  try {
    const { size } = await stat(file);
    const start = Math.max(0, size - maxBytes);
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      if (start === 0) return buffer;
      const newline = buffer.indexOf(0x0a);
      return newline === -1 ? buffer : buffer.subarray(newline + 1);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ServiceError(
      'MEDIC_ERR_SERVICE_ARTIFACT_FETCH',
      `cannot read ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export interface GatherResult {
  gathered: Gathered[];
  /** One line per source that could not be read (for the audit trail). */
  failures: string[];
}

/** Reads a service's configured sources at once; each failure is reported, never fatal. */
export async function gatherConfigured(
  sources: readonly ArtifactSource[],
  limits: { fetchTimeoutMs: number },
): Promise<GatherResult> {
  const results = await Promise.allSettled(
    sources.map((source) => readSource(source, limits.fetchTimeoutMs)),
  );
  const result: GatherResult = { gathered: [], failures: [] };
  for (const [index, read] of results.entries()) {
    const source = sources[index];
    if (source === undefined) continue;
    if (read.status === 'rejected') {
      result.failures.push(read.reason instanceof Error ? read.reason.message : String(read.reason));
      continue;
    }
    const spec = {
      kind: source.kind,
      profile: source.profile,
      takenAt: new Date().toISOString(),
      ...(source.url ? { url: source.url } : {}),
    };
    result.gathered.push({
      ref: refOf(spec, artifactPath(index + 1, spec)),
      content: read.value.content,
      origin: read.value.origin,
    });
  }
  return result;
}

/** Decodes uploaded artifacts and fetches referenced ones. */
export async function gatherUploaded(
  artifacts: readonly ApiArtifact[],
  limits: { fetchTimeoutMs: number; bodyLimitBytes: number },
): Promise<GatherResult> {
  const result: GatherResult = { gathered: [], failures: [] };
  for (const [index, artifact] of artifacts.entries()) {
    const spec = {
      kind: artifact.kind,
      profile: artifact.profile,
      ...(artifact.takenAt ? { takenAt: artifact.takenAt } : {}),
    };
    const path = artifactPath(index + 1, spec);
    if (artifact.content !== undefined) {
      result.gathered.push({
        ref: refOf(spec, path),
        content: Buffer.from(artifact.content, artifact.encoding),
        origin: 'upload',
      });
      continue;
    }
    const url = artifact.url ?? '';
    try {
      const read = await readSource(
        { kind: artifact.kind, url, maxBytes: limits.bodyLimitBytes },
        limits.fetchTimeoutMs,
      );
      result.gathered.push({
        ref: refOf({ ...spec, url }, path),
        content: read.content,
        origin: read.origin,
      });
    } catch (error) {
      result.failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  return result;
}
