/**
 * The diagnosis cache: LLM answers keyed by failure signature + repository revision + prompt
 * version (+ model and sample count, which also change the answer). One JSON file per key.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../core/exec.js';
import { Diagnosis, type Incident } from '../core/model.js';

export interface CacheKeyParts {
  signature: string;
  repoRevision: string;
  /** `diagnose.v1#<digest of the template file>`. */
  promptVersion: string;
  model: string;
  baseUrl: string;
  samples: number;
}

export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    parts.signature,
    parts.repoRevision,
    parts.promptVersion,
    parts.model,
    parts.baseUrl,
    parts.samples,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The revision of the code being diagnosed: the git commit, plus a digest of uncommitted changes
 * when the tree is dirty; without git, the recorded revision or a digest of the Go sources.
 */
export async function repoRevision(repoDir: string, incident: Incident): Promise<string> {
  const head = await run(['git', '-C', repoDir, 'rev-parse', 'HEAD'], { timeoutMs: 15_000 }).catch(
    () => undefined,
  );
  if (head?.exitCode === 0) {
    const status = await run(
      ['git', '-C', repoDir, 'status', '--porcelain', '--untracked-files=all', '--', '.'],
      {
        timeoutMs: 15_000,
      },
    );
    if (status.stdout.trim() === '') return head.stdout.trim();
    const diff = await run(['git', '-C', repoDir, 'diff', 'HEAD', '--', '.'], { timeoutMs: 15_000 });
    return `${head.stdout.trim()}+dirty:${digest(status.stdout + diff.stdout)}`;
  }
  if (incident.service.repo.revision) return incident.service.repo.revision;
  return `tree:${await treeDigest(repoDir)}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Digest of every .go file and go.mod/go.sum (path and content), for checkouts without git. */
async function treeDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!/^(\.|vendor$|node_modules$|testdata$)/.test(e.name))
          await walk(join(dir, e.name), `${rel}${e.name}/`);
      } else if (e.name.endsWith('.go') || e.name === 'go.mod' || e.name === 'go.sum') {
        hash.update(`${rel}${e.name}\0`);
        hash.update(await readFile(join(dir, e.name)));
      }
    }
  };
  await walk(root, '');
  return hash.digest('hex').slice(0, 16);
}

/** One JSON file per key directly in `dir` (the pipeline passes `<workDir>/cache/diagnose`). */
export class DiagnosisCache {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The cached diagnosis, or undefined on a miss. A damaged entry counts as a miss and is overwritten by `put`. */
  async get(key: string): Promise<Diagnosis | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = Diagnosis.safeParse((JSON.parse(text) as { diagnosis?: unknown }).diagnosis);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async put(key: string, parts: CacheKeyParts, diagnosis: Diagnosis): Promise<void> {
    const file = this.file(key);
    await mkdir(this.dir, { recursive: true });
    // Write then rename, so a concurrent reader never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(
      tmp,
      `${JSON.stringify({ key: parts, storedAt: new Date().toISOString(), diagnosis }, null, 2)}\n`,
    );
    await rename(tmp, file);
  }
}
