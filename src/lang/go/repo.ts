/**
 * A read-only view of a Go repository: its modules, packages and parsed files (cached), and the
 * functions of each package under runtime names. Nothing here writes to the repository.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { type GoFunction, listFunctions, type PackageCounters, runtimePackagePath } from './functions.js';
import { type GoFile, parseGo } from './source.js';

export interface GoPackage {
  /** Repository-relative directory with forward slashes ('.' for the root). */
  dir: string;
  /** Import path (`example.com/mod/internal/store`). */
  importPath: string;
  /** The prefix tracebacks use: the import path, or `main`. */
  runtimePath: string;
  name: string;
  /** Repository-relative paths of the package's non-test .go files, sorted as `go build` sees them. */
  files: string[];
}

/** Directories `go build ./...` never looks into. */
const SKIP_DIR = /^(vendor|testdata|node_modules)$|^[._]/;

export class GoRepo {
  private readonly parsed = new Map<string, Promise<GoFile>>();
  private readonly packages = new Map<string, Promise<GoPackage | undefined>>();
  private readonly functionsByDir = new Map<string, Promise<GoFunction[]>>();
  private fileList: Promise<string[]> | undefined;

  /**
   * `root` is the repository checkout (absolute). `overlay` maps repository-relative paths to
   * text that replaces (or adds) files without touching the disk: the patch stage edits there.
   */
  constructor(
    readonly root: string,
    private readonly overlay: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** A view of the same repository with some files replaced by `changes` (merged over this view's overlay). */
  withOverlay(changes: ReadonlyMap<string, string>): GoRepo {
    return new GoRepo(this.root, new Map([...this.overlay, ...changes]));
  }

  /** The text of a file as this view sees it (overlay first). Paths leaving the repository are refused. */
  async text(path: string): Promise<string> {
    const key = normalise(path);
    if (escapes(key)) throw new Error(`${path} is outside the repository`);
    return this.overlay.get(key) ?? readFile(join(this.root, key), 'utf8');
  }

  /** Repository-relative paths of every .go file (tests included), sorted. */
  goFiles(): Promise<string[]> {
    this.fileList ??= listGoFiles(this.root, '.').then((files) =>
      [...new Set([...files, ...[...this.overlay.keys()].filter((k) => k.endsWith('.go'))])].sort(),
    );
    return this.fileList;
  }

  /** Parsed file by repository-relative path (cached). Rejects when the file cannot be read. */
  file(path: string): Promise<GoFile> {
    const key = normalise(path);
    return cached(this.parsed, key, () => this.text(key).then((text) => parseGo(text, key)));
  }

  async exists(path: string): Promise<boolean> {
    if (escapes(normalise(path))) return false;
    if (this.overlay.has(normalise(path))) return true;
    try {
      return (await stat(join(this.root, normalise(path)))).isFile();
    } catch {
      return false;
    }
  }

  /** The package in a repository-relative directory, or undefined when it holds no Go package. */
  package(dir: string): Promise<GoPackage | undefined> {
    const key = normalise(dir);
    return cached(this.packages, key, () => this.loadPackage(key));
  }

  /** The package that holds a repository-relative file. */
  packageOfFile(path: string): Promise<GoPackage | undefined> {
    return this.package(posix.dirname(normalise(path)));
  }

  /** Every function of the package in `dir` (test files excluded), numbered package-wide like the compiler. */
  functions(dir: string): Promise<GoFunction[]> {
    const key = normalise(dir);
    return cached(this.functionsByDir, key, () => this.loadFunctions(key));
  }

  /** Functions of one file with package-wide numbering (`_test.go` files are numbered on their own). */
  async functionsOfFile(path: string): Promise<GoFunction[]> {
    const key = normalise(path);
    if (key.endsWith('_test.go')) {
      const pkg = await this.packageOfFile(key);
      const file = await this.file(key);
      const importPath = pkg?.importPath ?? file.packageName;
      return listFunctions(file, runtimePackagePath(file.packageName, importPath));
    }
    return (await this.functions(posix.dirname(key))).filter((f) => f.file === key);
  }

  private async loadPackage(dir: string): Promise<GoPackage | undefined> {
    if (escapes(dir)) return undefined;
    let names: string[];
    try {
      names = await readdir(join(this.root, dir));
    } catch {
      return undefined;
    }
    const added = [...this.overlay.keys()]
      .filter((k) => posix.dirname(k) === dir)
      .map((k) => posix.basename(k));
    const files = [...new Set([...names, ...added])]
      .filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'))
      .sort()
      .map((n) => (dir === '.' ? n : `${dir}/${n}`));
    if (files.length === 0) return undefined;
    const first = await this.file(files[0] as string);
    const mod = await findModule(this.root, dir);
    const importPath = mod === undefined ? dir : joinImport(mod.path, subdir(mod.dir, dir));
    const name = first.packageName;
    return { dir, importPath, runtimePath: runtimePackagePath(name, importPath), name, files };
  }

  private async loadFunctions(dir: string): Promise<GoFunction[]> {
    const pkg = await this.package(dir);
    if (pkg === undefined) return [];
    const counters: PackageCounters = { init: 0, globalClosures: 0 };
    const out: GoFunction[] = [];
    for (const path of pkg.files)
      out.push(...listFunctions(await this.file(path), pkg.runtimePath, counters));
    return out;
  }
}

/** The nearest go.mod at or above a repository-relative directory (within the repository). */
export async function findModule(
  root: string,
  dir: string,
): Promise<{ dir: string; path: string } | undefined> {
  for (let current = normalise(dir); ; current = posix.dirname(current)) {
    try {
      const text = await readFile(join(root, current, 'go.mod'), 'utf8');
      const path = /^\s*module\s+("?)([^\s"]+)\1/m.exec(text)?.[2];
      if (path !== undefined) return { dir: current, path };
    } catch {
      // No go.mod here: keep walking up.
    }
    if (current === '.' || current === '') return undefined;
  }
}

async function listGoFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    const rel = dir === '.' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIR.test(entry.name)) out.push(...(await listGoFiles(root, rel)));
    } else if (entry.isFile() && entry.name.endsWith('.go')) {
      out.push(rel);
    }
  }
  return out;
}

/** `dir` relative to the ancestor `base` ('' when equal); both repository-relative. */
function subdir(base: string, dir: string): string {
  if (base === dir) return '';
  return base === '.' ? dir : dir.slice(base.length + 1);
}

function joinImport(modulePath: string, sub: string): string {
  return sub === '' ? modulePath : `${modulePath}/${sub}`;
}

/** The promise cached under `key`, started by `load` on first use (concurrent callers share it). */
function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = load();
    cache.set(key, pending);
  }
  return pending;
}

/** Absolute paths and `..` climbs name files outside the repository (untrusted input may carry them). */
function escapes(normalised: string): boolean {
  return normalised.startsWith('/') || normalised === '..' || normalised.startsWith('../');
}

/** Forward slashes, no leading `./`, '.' for the root. */
export function normalise(path: string): string {
  const p = posix.normalize(path.split(sep).join('/')).replace(/^\.\/+/, '');
  return p === '' ? '.' : p.replace(/\/$/, '');
}

/** The directory (so the package) of a repository-relative file: `a/b` for `a/b/c.go`, `.` for `c.go`. */
export function dirOf(path: string): string {
  return normalise(posix.dirname(path));
}

/** Repository-relative path of an absolute file, or undefined when it lies outside the repository. */
export function repoRelative(root: string, absolute: string): string | undefined {
  const rel = relative(root, absolute);
  if (rel.startsWith('..') || rel === '' || dirname(rel) === rel) return undefined;
  return normalise(rel);
}
