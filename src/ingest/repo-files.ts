/** Which files of the target repository a profile or trace frame names: maps recorded paths to repo-relative ones. */
import { readdir, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface RepoFiles {
  root: string;
  modulePath: string | undefined;
  /** Repository-relative path (forward slashes) of a recorded file, or undefined when it is not the repo's code. */
  repoFileOf(file: string, fn?: string): string | undefined;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'vendor', '.medic']);
const MAX_FILES = 50_000;

/** Lists the repository's Go sources once; lookups are then in memory. */
export async function loadRepoFiles(repoDir: string, modulePath: string | undefined): Promise<RepoFiles> {
  const root = await realpath(repoDir).catch(() => repoDir);
  const files = new Set<string>();
  await walk(root, '', files);
  const roots = [...new Set([root, repoDir])].map((r) => r.split(sep).join('/').replace(/\/+$/, ''));
  const cache = new Map<string, string | undefined>();

  const lookup = (file: string, fn: string | undefined): string | undefined => {
    const path = file.replaceAll('\\', '/');
    // Module cache and GOROOT sources are never the service's own code.
    if (path === '' || path.includes('/pkg/mod/') || /@v\d/.test(path)) return undefined;
    for (const r of roots) {
      if (path.startsWith(`${r}/`)) {
        const rel = path.slice(r.length + 1);
        return files.has(rel) ? rel : undefined;
      }
    }
    // -trimpath builds print `module/path/dir/file.go`.
    if (modulePath !== undefined && path.startsWith(`${modulePath}/`)) {
      const rel = path.slice(modulePath.length + 1);
      if (files.has(rel)) return rel;
    }
    // Built elsewhere (a CI checkout, a container): the longest tail of the path that is here.
    // A bare file name only counts for package main: stdlib has main.go files of its own.
    const parts = path.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const rel = parts.slice(i).join('/');
      if (i === parts.length - 1 && !(fn ?? '').startsWith('main.')) break;
      if (files.has(rel)) return rel;
    }
    return undefined;
  };

  return {
    root,
    modulePath,
    repoFileOf(file, fn) {
      const key = `${file}\u0000${fn ?? ''}`;
      if (cache.has(key)) return cache.get(key);
      const rel = lookup(file, fn);
      cache.set(key, rel);
      return rel;
    },
  };
}

async function walk(root: string, dir: string, files: Set<string>): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    // An unreadable directory holds nothing Medic may blame.
    return;
  }
  for (const entry of entries) {
    if (files.size >= MAX_FILES) return;
    const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) await walk(root, rel, files);
    } else if (entry.isFile() && (entry.name.endsWith('.go') || entry.name.endsWith('.s'))) {
      files.add(relative(root, join(root, rel)).split(sep).join('/'));
    }
  }
}
