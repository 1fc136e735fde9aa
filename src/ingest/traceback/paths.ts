/** Function-name parsing and frame classification: which code a frame is in, and its repository-relative path. */
import type { FrameKind } from '../../core/model/failure.js';

/** The parts of a Go function name as the runtime prints it. */
export interface FuncInfo {
  function: string;
  package: string;
  receiver: string | undefined;
  name: string;
  /** Classification per file this function was seen in (usually one). */
  locs: Map<string, Loc> | undefined;
  /** Parser predictions: the file line that followed this function line last time, and its arguments. */
  nextFile: unknown;
  lastArgs: string | undefined;
}

export interface Loc {
  kind: FrameKind;
  repoFile: string | undefined;
  /** An application file whose repository root was not known yet when it was seen. */
  needsRoot: boolean;
}

const WRAPPER = /^(?:func|gowrap|deferwrap)\d+$|^\d+$/;

/**
 * `example.com/shop/cart.(*Cart).Add.func1` -> package `example.com/shop/cart`, receiver `Cart`,
 * name `Add.func1`. Dots in the last path element are printed escaped (`yaml%2ev3`), so the
 * package ends at the first dot after the last slash; brackets of generics are skipped.
 */
export function parseFunctionName(fn: string): FuncInfo {
  let lim = fn.length;
  const br = fn.indexOf('[');
  if (br >= 0) lim = br;
  const pr = fn.indexOf('(');
  if (pr >= 0 && pr < lim) lim = pr;
  const slash = fn.lastIndexOf('/', lim - 1);
  const dot = fn.indexOf('.', slash + 1);
  if (dot < 0) {
    return {
      function: fn,
      package: '',
      receiver: undefined,
      name: fn,
      locs: undefined,
      nextFile: undefined,
      lastArgs: undefined,
    };
  }
  const pkg = fn.slice(0, dot).replaceAll('%2e', '.');
  const rest = fn.slice(dot + 1);
  let receiver: string | undefined;
  let name = rest;
  if (rest.startsWith('(*')) {
    const close = rest.indexOf(').');
    if (close > 2) {
      receiver = rest.slice(2, close);
      name = rest.slice(close + 2);
    }
  } else {
    // `pkg.T.M` is a method with a value receiver; `pkg.F.func1` is a closure in F.
    const d = rest.indexOf('.');
    if (d > 0) {
      const second = rest.slice(d + 1).split('.', 1)[0] ?? '';
      if (!WRAPPER.test(second) && !rest.startsWith('init.')) {
        receiver = rest.slice(0, d);
        name = rest.slice(d + 1);
      }
    }
  }
  return {
    function: fn,
    package: pkg,
    receiver,
    name,
    locs: undefined,
    nextFile: undefined,
    lastArgs: undefined,
  };
}

/** Top-level path elements of the standard library (a no-dot import path outside this list is the user's). */
const STD = new Set(
  'archive bufio builtin bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings structs sync syscall testing text time unicode unique unsafe vendor weak'.split(
    ' ',
  ),
);

export function isRuntimePackage(pkg: string): boolean {
  return pkg === '' || pkg === 'runtime' || pkg.startsWith('runtime/') || pkg.startsWith('internal/runtime/');
}

function isStdPackage(pkg: string): boolean {
  const slash = pkg.indexOf('/');
  const first = slash < 0 ? pkg : pkg.slice(0, slash);
  return !first.includes('.') && STD.has(first);
}

function isDependencyFile(file: string): boolean {
  // Module cache (`/pkg/mod/x@v1.2.3/`, or `x@v1.2.3/` under -trimpath) and vendor trees.
  return file.includes('/pkg/mod/') || file.includes('/vendor/') || /@v\d/.test(file);
}

export interface PathMapperOptions {
  modulePath?: string | undefined;
  repoRoot?: string | undefined;
}

function norm(path: string): string {
  const p = path.replaceAll('\\', '/');
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

/** Classifies frames and maps their files into the repository; learns the root from absolute paths. */
export class PathMapper {
  private readonly mod: string | undefined;
  private root: string | undefined;

  constructor(opts: PathMapperOptions) {
    this.mod = opts.modulePath === undefined || opts.modulePath === '' ? undefined : opts.modulePath;
    this.root = opts.repoRoot === undefined || opts.repoRoot === '' ? undefined : norm(opts.repoRoot);
  }

  locate(info: FuncInfo, file: string): Loc {
    let locs = info.locs;
    if (locs === undefined) {
      locs = new Map();
      info.locs = locs;
    }
    let loc = locs.get(file);
    if (loc === undefined) {
      loc = this.compute(info.package, file);
      locs.set(file, loc);
    }
    return loc;
  }

  private inModule(pkg: string): boolean {
    const m = this.mod;
    return m !== undefined && (pkg === m || pkg.startsWith(`${m}/`));
  }

  private compute(pkg: string, file: string): Loc {
    let kind: FrameKind;
    if (isRuntimePackage(pkg)) kind = 'runtime';
    else if (this.inModule(pkg) || pkg === 'main') kind = 'application';
    else if (isDependencyFile(file)) kind = 'dependency';
    else if (isStdPackage(pkg)) kind = 'stdlib';
    else if (this.mod !== undefined && pkg.split('/', 1)[0]?.includes('.')) kind = 'dependency';
    else kind = 'application';
    if (kind !== 'application') return { kind, repoFile: undefined, needsRoot: false };
    const repoFile = this.repoFile(pkg, file);
    // Only a root learned later can map it, and only a module path teaches one: without, nothing waits.
    const later = repoFile === undefined && this.root === undefined && this.mod !== undefined;
    return { kind, repoFile, needsRoot: later && isAbsolute(file) };
  }

  /** The repository-relative path of an application file, learning the root when the package says where it is. */
  repoFile(pkg: string, file: string): string | undefined {
    const f = norm(file);
    if (this.root !== undefined && f.startsWith(`${this.root}/`)) return f.slice(this.root.length + 1);
    const m = this.mod;
    if (m === undefined) return undefined;
    if (f.startsWith(`${m}/`)) return f.slice(m.length + 1); // -trimpath
    if (!isAbsolute(f) || !this.inModule(pkg) || pkg === m) return undefined;
    // `/src/shop/internal/cart/cart.go` in package `example.com/shop/internal/cart`: the root is `/src/shop`.
    const rel = pkg.slice(m.length + 1).replace(/_test$/, '');
    const slash = f.lastIndexOf('/');
    if (slash < 0 || !f.slice(0, slash).endsWith(`/${rel}`)) return undefined;
    const root = f.slice(0, slash - rel.length - 1);
    this.root ??= root;
    return f.slice(root.length + 1);
  }

  /** Files of application frames seen before the root was learned, mapped now (undefined if still unknown). */
  late(file: string): string | undefined {
    if (this.root === undefined) return undefined;
    const f = norm(file);
    return f.startsWith(`${this.root}/`) ? f.slice(this.root.length + 1) : undefined;
  }
}

function isAbsolute(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\');
}
