/**
 * Test selection: the packages that contain the changed files plus every package of the module
 * whose build or tests depend on one of them (reverse dependencies through `go list`), so a patch
 * is tested where it can have an effect and nowhere else.
 */
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { VerifyError } from '../core/errors.js';
import type { GoToolchain } from './go.js';

const ListedPackage = z.object({
  ImportPath: z.string(),
  Dir: z.string(),
  Name: z.string().optional(),
  Deps: z.array(z.string()).default([]),
  TestImports: z.array(z.string()).default([]),
  XTestImports: z.array(z.string()).default([]),
  TestGoFiles: z.array(z.string()).default([]),
  XTestGoFiles: z.array(z.string()).default([]),
  Error: z.object({ Err: z.string() }).optional(),
});
type ListedPackage = z.infer<typeof ListedPackage>;

export interface PackageInfo {
  importPath: string;
  dir: string;
  /** Directory relative to the workspace, as `./x/y` (go's own form). */
  rel: string;
  hasTests: boolean;
  isMain: boolean;
}

export interface Selection {
  /** Packages to test, with why each was chosen. */
  selected: { pkg: PackageInfo; reason: string }[];
  /** Every package of the module (what `go test ./...` would run). */
  all: PackageInfo[];
  /** Packages that hold a changed file. */
  changed: PackageInfo[];
}

/** Lists the module's packages in `dir` (one `go list`; `go list` prints a stream of JSON objects). */
export async function listPackages(go: GoToolchain, dir: string): Promise<ListedPackage[]> {
  const fields = 'ImportPath,Dir,Name,Deps,TestImports,XTestImports,TestGoFiles,XTestGoFiles,Error';
  const r = await go.go(['list', '-e', `-json=${fields}`, './...'], dir);
  if (r.exitCode !== 0) {
    throw new VerifyError('MEDIC_ERR_VERIFY_TOOLCHAIN', `go list failed in ${dir}: ${r.stderr.trim()}`);
  }
  const out: ListedPackage[] = [];
  // Objects are printed back to back; split on the closing brace at column 0.
  for (const chunk of r.stdout.split(/\n}\n?/)) {
    if (chunk.trim() === '') continue;
    out.push(ListedPackage.parse(JSON.parse(`${chunk}\n}`)));
  }
  return out;
}

function info(p: ListedPackage, root: string): PackageInfo {
  const relDir = resolve(p.Dir).slice(resolve(root).length).replace(/^\//, '');
  return {
    importPath: p.ImportPath,
    dir: p.Dir,
    rel: relDir === '' ? '.' : `./${relDir}`,
    hasTests: p.TestGoFiles.length + p.XTestGoFiles.length > 0,
    isMain: p.Name === 'main',
  };
}

/** Selects the packages to test for a change to `files` (repository-relative paths). */
export async function selectTests(
  go: GoToolchain,
  workspace: string,
  files: readonly string[],
): Promise<Selection> {
  const listed = await listPackages(go, workspace);
  const byPath = new Map(listed.map((p) => [p.ImportPath, p]));
  const changedDirs = new Set(
    files.filter((f) => f.endsWith('.go')).map((f) => resolve(join(workspace, dirname(f)))),
  );
  const changed = listed.filter((p) => changedDirs.has(resolve(p.Dir)));
  const changedPaths = new Set(changed.map((p) => p.ImportPath));
  // A package's build deps, plus (for its tests) what its test files import and those imports' deps.
  const reach = (p: ListedPackage): Set<string> => {
    const set = new Set(p.Deps);
    for (const imp of [...p.TestImports, ...p.XTestImports]) {
      set.add(imp);
      for (const dep of byPath.get(imp)?.Deps ?? []) set.add(dep);
    }
    return set;
  };
  const selected: Selection['selected'] = [];
  for (const p of listed) {
    const pkg = info(p, workspace);
    if (changedPaths.has(p.ImportPath)) {
      selected.push({ pkg, reason: 'holds a changed file' });
      continue;
    }
    const via = [...reach(p)].find((d) => changedPaths.has(d));
    if (via !== undefined) selected.push({ pkg, reason: `depends on ${via}` });
  }
  return {
    selected: selected.filter((s) => s.pkg.hasTests),
    all: listed.map((p) => info(p, workspace)),
    changed: changed.map((p) => info(p, workspace)),
  };
}
