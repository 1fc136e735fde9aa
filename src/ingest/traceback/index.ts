/** Public face of the Go failure parser: every failure in a stream, signatures, buckets, go.mod reading. */
import { isAscii } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IngestError } from '../../core/errors.js';
import type { Failure } from '../../core/model/failure.js';
import type { BucketLevel } from './buckets.js';
import { FrameFactory } from './frames.js';
import { Lines } from './lines.js';
import { Parser } from './parser.js';
import { PathMapper } from './paths.js';

export { type BucketLevel, bucketGoroutines } from './buckets.js';
export { classifyChain, classifyFatal, classifyPanic } from './classify.js';
export { printable, type RenderOptions, renderFailures } from './render.js';
export { blameFrames, isWrapperFrame, signatureOf, signatureParts } from './signature.js';

export interface ParseOptions {
  /** Artifact name recorded in Failure.source.artifact. Default: `stdin`. */
  artifact?: string;
  /** The target's go.mod module path: frames in it are 'application' and get repoFile. */
  modulePath?: string;
  /** Absolute directory of the repository as printed in frames (non-trimpath builds), for mapping to repo-relative paths. */
  repoRoot?: string;
  /** Bucket levels computed into Failure.buckets. Default: `['any-pointer']`. */
  bucketLevels?: readonly BucketLevel[];
}

/** Every failure in `text`, in order; [] when there is none. Never throws on malformed input. */
export function parseFailures(text: string, opts: ParseOptions = {}): Failure[] {
  const ff = new FrameFactory(new PathMapper({ modulePath: opts.modulePath, repoRoot: opts.repoRoot }));
  const parser = new Parser(new Lines(text), ff, {
    artifact: opts.artifact ?? 'stdin',
    levels: opts.bucketLevels ?? ['any-pointer'],
  });
  const failures = parser.run();
  ff.finish();
  return failures;
}

/**
 * A failure output's bytes as text (UTF-8). Pure ASCII, what the Go runtime prints, skips the
 * UTF-8 decoder, which on Node 20 costs more than parsing a dump (`readFileSync(path, 'utf8')`
 * takes about 30 ms for a 12 MB dump; this, about 5 ms). The string is the same either way.
 */
export function decodeText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** The module path from `<repoDir>/go.mod`; undefined when there is no go.mod or no module line. */
export async function readModulePath(repoDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(repoDir, 'go.mod'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IngestError('MEDIC_ERR_INGEST_GOMOD_UNREADABLE', `cannot read ${join(repoDir, 'go.mod')}`, {
      cause: error,
    });
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const m = /^module\s+("([^"]+)"|`([^`]+)`|(\S+))$/.exec(line);
    if (m !== null) return m[2] ?? m[3] ?? m[4];
  }
  return undefined;
}
