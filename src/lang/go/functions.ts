/**
 * Lists the functions of a Go file under the names the Go runtime prints in tracebacks:
 * `pkg.F`, `pkg.(*T).M`, `pkg.T.M`, generics `pkg.F[...]` / `pkg.(*L[...]).M`, closures
 * `pkg.F.func1` and nested `pkg.F.func1.2`, `pkg.init.0`, and package-level closures `pkg.init.func1`.
 */
import type { GoNode } from './parser.js';
import { endLineOf, type GoFile, lineOf, walk } from './source.js';

export type FunctionKind = 'function' | 'method' | 'closure' | 'init';

export interface GoParam {
  /** Empty for unnamed parameters and results. */
  name: string;
  /** Type as written, e.g. `map[string]int`, `...string`. */
  type: string;
}

export interface GoFunction {
  /** As the runtime prints it: `example.com/mod/pkg.(*T).Method`, `main.main.func1`. */
  qualifiedName: string;
  /** The part after the package: `(*T).Method`, `F.func1`. */
  symbol: string;
  /** Import path as the runtime prints it (`main` for package main). */
  packagePath: string;
  kind: FunctionKind;
  /** Declared name; for closures the runtime suffix (`func1`, `2`). */
  name: string;
  receiver?: { type: string; pointer: boolean; name: string; typeParams: string[] };
  typeParams: string[];
  params: GoParam[];
  results: GoParam[];
  /** function_declaration, method_declaration or func_literal. */
  node: GoNode;
  body: GoNode | null;
  file: string;
  startLine: number;
  endLine: number;
  /** The top-level function a closure belongs to (its own symbol for top-level ones). */
  topLevel: string;
}

/** Numbering state shared across a package's files (init.N and package-level closures count package-wide). */
export interface PackageCounters {
  init: number;
  globalClosures: number;
}

/**
 * The symbol prefix the runtime uses for a package: `main` for package main, else the import path.
 * Tracebacks print `main.handler` even though the module path is `example.com/svc`.
 */
export function runtimePackagePath(packageName: string, importPath: string): string {
  return packageName === 'main' ? 'main' : importPath;
}

/** Functions of one file in source order (top-level ones before their closures). */
export function listFunctions(
  file: GoFile,
  packagePath: string,
  counters: PackageCounters = { init: 0, globalClosures: 0 },
): GoFunction[] {
  const out: GoFunction[] = [];
  for (const decl of file.root.namedChildren) {
    if (decl.type === 'function_declaration' || decl.type === 'method_declaration') {
      const fn = declared(file, packagePath, decl, counters);
      out.push(fn);
      closures(file, fn, decl.childForFieldName('body'), out);
    } else if (decl.type === 'var_declaration' || decl.type === 'const_declaration') {
      // Closures in package-level initialisers belong to the package's init function.
      const holder = { symbol: 'init', topLevel: 'init', packagePath };
      for (const lit of topClosures(decl)) {
        counters.globalClosures += 1;
        const fn = closure(file, holder, lit, `func${counters.globalClosures}`);
        out.push(fn);
        closures(file, fn, lit.childForFieldName('body'), out);
      }
    }
  }
  return out;
}

function declared(file: GoFile, packagePath: string, decl: GoNode, counters: PackageCounters): GoFunction {
  const name = decl.childForFieldName('name')?.text ?? '_';
  const typeParams = typeParamNames(decl.childForFieldName('type_parameters'));
  let symbol: string;
  let kind: FunctionKind = 'function';
  let receiver: GoFunction['receiver'];
  if (decl.type === 'method_declaration') {
    kind = 'method';
    receiver = receiverOf(decl);
    const generic = receiver.typeParams.length > 0 ? '[...]' : '';
    symbol = receiver.pointer
      ? `(*${receiver.type}${generic}).${name}`
      : `${receiver.type}${generic}.${name}`;
  } else if (name === 'init') {
    kind = 'init';
    symbol = `init.${counters.init}`;
    counters.init += 1;
  } else {
    symbol = typeParams.length > 0 ? `${name}[...]` : name;
  }
  return {
    qualifiedName: `${packagePath}.${symbol}`,
    symbol,
    packagePath,
    kind,
    name,
    ...(receiver === undefined ? {} : { receiver }),
    typeParams,
    params: paramList(decl.childForFieldName('parameters')),
    results: resultList(decl.childForFieldName('result')),
    node: decl,
    body: decl.childForFieldName('body'),
    file: file.path,
    startLine: lineOf(decl),
    endLine: endLineOf(decl),
    topLevel: symbol,
  };
}

/** Closures directly inside `body` (not inside a nested closure), in source order. */
function topClosures(body: GoNode): GoNode[] {
  const found: GoNode[] = [];
  walk(body, (n) => {
    if (n.type === 'func_literal') {
      found.push(n);
      return false;
    }
    return true;
  });
  return found;
}

function closures(file: GoFile, parent: GoFunction, body: GoNode | null, out: GoFunction[]): void {
  if (body === null) return;
  topClosures(body).forEach((lit, i) => {
    // The runtime names a top-level function's closures funcN, and a closure's closures N.
    const suffix = parent.kind === 'closure' ? String(i + 1) : `func${i + 1}`;
    const fn = closure(file, parent, lit, suffix);
    out.push(fn);
    closures(file, fn, lit.childForFieldName('body'), out);
  });
}

function closure(
  file: GoFile,
  parent: Pick<GoFunction, 'symbol' | 'topLevel' | 'packagePath'>,
  lit: GoNode,
  suffix: string,
): GoFunction {
  const symbol = `${parent.symbol}.${suffix}`;
  return {
    qualifiedName: `${parent.packagePath}.${symbol}`,
    symbol,
    packagePath: parent.packagePath,
    kind: 'closure',
    name: suffix,
    typeParams: [],
    params: paramList(lit.childForFieldName('parameters')),
    results: resultList(lit.childForFieldName('result')),
    node: lit,
    body: lit.childForFieldName('body'),
    file: file.path,
    startLine: lineOf(lit),
    endLine: endLineOf(lit),
    topLevel: parent.topLevel,
  };
}

function receiverOf(decl: GoNode): NonNullable<GoFunction['receiver']> {
  const param = decl
    .childForFieldName('receiver')
    ?.namedChildren.find((n) => n.type === 'parameter_declaration');
  let type = param?.childForFieldName('type') ?? null;
  let pointer = false;
  if (type?.type === 'pointer_type') {
    pointer = true;
    type = type.namedChildren[0] ?? null;
  }
  let typeParams: string[] = [];
  let typeName = type?.text ?? '?';
  if (type?.type === 'generic_type') {
    typeName = type.childForFieldName('type')?.text ?? typeName;
    typeParams = (type.childForFieldName('type_arguments')?.namedChildren ?? []).map((n) => n.text);
  }
  return { type: typeName, pointer, name: param?.childForFieldName('name')?.text ?? '', typeParams };
}

function typeParamNames(list: GoNode | null): string[] {
  if (list === null) return [];
  return list.namedChildren.flatMap((decl) =>
    decl.namedChildren.filter((n) => n.type === 'identifier').map((n) => n.text),
  );
}

function paramList(list: GoNode | null): GoParam[] {
  if (list === null) return [];
  const out: GoParam[] = [];
  for (const decl of list.namedChildren) {
    if (decl.type !== 'parameter_declaration' && decl.type !== 'variadic_parameter_declaration') continue;
    const type = decl.childForFieldName('type');
    const typeText =
      decl.type === 'variadic_parameter_declaration' ? `...${type?.text ?? ''}` : (type?.text ?? '');
    const names = decl.namedChildren.filter((n) => n.type === 'identifier');
    if (names.length === 0) out.push({ name: '', type: typeText });
    for (const n of names) out.push({ name: n.text, type: typeText });
  }
  return out;
}

/** A result is either a parameter list `(int, error)` or a single bare type `error`. */
function resultList(result: GoNode | null): GoParam[] {
  if (result === null) return [];
  if (result.type === 'parameter_list') return paramList(result);
  return [{ name: '', type: result.text }];
}
