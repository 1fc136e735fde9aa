/**
 * Cross-references by syntax: callers of a function, and the declaration and construction sites
 * of a variable, struct field or map (where it is made, where it is left zero, where it is set).
 */
import type { GoFunction } from './functions.js';
import type { GoNode } from './parser.js';
import { dirOf, type GoRepo } from './repo.js';
import { descendantsOfType, type GoFile, lineOf, lineText } from './source.js';
import {
  baseTypeName,
  findVariable,
  type StructField,
  selectedField,
  typeOfExpression,
  type VariableDecl,
} from './types.js';

export interface SourceSite {
  file: string;
  line: number;
  node: GoNode;
  /** The trimmed source line, for prompts and reports. */
  text: string;
  /** Runtime name of the enclosing function, when there is one. */
  function?: string;
}

/**
 * `exact`: a call the syntax ties to this function (same package, or through its import);
 * `method-name`: a call of a method with this name whose receiver type could not be confirmed;
 * `reference`: the function used as a value (e.g. registered as an HTTP handler).
 */
export interface CallSite extends SourceSite {
  confidence: 'exact' | 'method-name' | 'reference';
}

/** The innermost function of `funcs` that contains `node`. */
export function enclosingFunction(funcs: readonly GoFunction[], node: GoNode): GoFunction | undefined {
  return funcs
    .filter((f) => f.node.startIndex <= node.startIndex && node.endIndex <= f.node.endIndex)
    .sort((a, b) => a.node.endIndex - a.node.startIndex - (b.node.endIndex - b.node.startIndex))[0];
}

async function site(repo: GoRepo, file: GoFile, node: GoNode): Promise<SourceSite> {
  const fn = enclosingFunction(await repo.functionsOfFile(file.path), node);
  const line = lineOf(node);
  return {
    file: file.path,
    line,
    node,
    text: lineText(file, line).trim(),
    ...(fn === undefined ? {} : { function: fn.qualifiedName }),
  };
}

/** Local names under which `file` imports `importPath` (default: the package's name). */
export function importAliases(file: GoFile, importPath: string, packageName: string): string[] {
  const out: string[] = [];
  for (const spec of descendantsOfType(file.root, 'import_spec')) {
    const path = spec.childForFieldName('path')?.text.slice(1, -1);
    if (path !== importPath) continue;
    out.push(spec.childForFieldName('name')?.text ?? packageName);
  }
  return out;
}

/** Call sites (and value references) of a top-level function or method anywhere in the repository. */
export async function findCallers(repo: GoRepo, fn: GoFunction): Promise<CallSite[]> {
  if (fn.kind === 'closure' || fn.kind === 'init') return [];
  const home = dirOf(fn.file);
  const pkg = await repo.package(home);
  const out: CallSite[] = [];
  for (const path of await repo.goFiles()) {
    const file = await repo.file(path);
    const samePackage = dirOf(path) === home && file.packageName === pkg?.name;
    const aliases = pkg === undefined ? [] : importAliases(file, pkg.importPath, pkg.name);
    for (const id of descendantsOfType(file.root, ['identifier', 'field_identifier'])) {
      if (id.text !== fn.name) continue;
      const confidence = classify(id, fn, samePackage, aliases);
      if (confidence !== undefined) out.push({ ...(await site(repo, file, id)), confidence });
    }
  }
  return out;
}

function classify(
  id: GoNode,
  fn: GoFunction,
  samePackage: boolean,
  aliases: string[],
): CallSite['confidence'] | undefined {
  let expr = id;
  let qualified = false;
  const parent = id.parent;
  if (parent?.type === 'selector_expression' && parent.childForFieldName('field')?.id === id.id) {
    const operand = parent.childForFieldName('operand');
    qualified = operand?.type === 'identifier' && aliases.includes(operand.text);
    if (fn.kind === 'function' && !qualified) return undefined;
    if (fn.kind === 'method' && qualified) return undefined;
    expr = parent;
  } else if (fn.kind === 'method' || !samePackage || id.type !== 'identifier') {
    return undefined;
  }
  // Declarations of the name itself are not uses.
  if (expr.parent?.type === 'function_declaration' || expr.parent?.type === 'method_declaration')
    return undefined;
  const isCall =
    expr.parent?.type === 'call_expression' && expr.parent.childForFieldName('function')?.id === expr.id;
  if (isCall) return fn.kind === 'method' ? 'method-name' : 'exact';
  return expr.parent?.type === 'argument_list' || expr.parent?.type === 'expression_list'
    ? 'reference'
    : undefined;
}

/** What a piece of state is: a struct field or a variable. */
export type StateTarget =
  | { kind: 'field'; field: StructField }
  | { kind: 'variable'; variable: VariableDecl };

/** The two targets name the same struct field or the same declared variable. */
export function sameState(a: StateTarget | undefined, b: StateTarget | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a.kind === 'field' && b.kind === 'field')
    return a.field.typeName === b.field.typeName && a.field.field === b.field.field;
  if (a.kind === 'variable' && b.kind === 'variable')
    return a.variable.file === b.variable.file && a.variable.decl.id === b.variable.decl.id;
  return false;
}

/** Resolves `x`, `x.f` or `x.f.g` at its use in `fn` to the field or variable it names. */
export async function resolveTarget(
  repo: GoRepo,
  file: GoFile,
  fn: GoFunction | undefined,
  expr: GoNode,
): Promise<StateTarget | undefined> {
  if (expr.type === 'identifier') {
    const variable = await findVariable(repo, file, fn, expr.text, expr.startIndex);
    return variable === undefined ? undefined : { kind: 'variable', variable };
  }
  if (expr.type === 'selector_expression') {
    const field = await selectedField(repo, file, fn, expr);
    return field === undefined ? undefined : { kind: 'field', field };
  }
  if (expr.type === 'parenthesized_expression' && expr.namedChildren[0] !== undefined) {
    return resolveTarget(repo, file, fn, expr.namedChildren[0]);
  }
  return undefined;
}

/**
 * `composite-literal` (`T{...}` / `&T{...}`), `new` (`new(T)`), `zero-var` (`var x T`),
 * `declaration` (a variable's own declaration) and `assignment` (`x.f = ...`, `x = ...`).
 * `sets` says whether the site gives the state a value (a literal that names the field does).
 */
export interface ConstructionSite extends SourceSite {
  kind: 'composite-literal' | 'new' | 'zero-var' | 'declaration' | 'assignment';
  sets: boolean;
}

/** Every place the target is created or assigned, in the files that can see it. */
export async function constructionSites(repo: GoRepo, target: StateTarget): Promise<ConstructionSite[]> {
  return target.kind === 'field' ? fieldSites(repo, target.field) : variableSites(repo, target.variable);
}

async function fieldSites(repo: GoRepo, field: StructField): Promise<ConstructionSite[]> {
  const home = dirOf(field.file);
  const pkg = await repo.package(home);
  const out: ConstructionSite[] = [];
  for (const path of await repo.goFiles()) {
    const file = await repo.file(path);
    const dir = dirOf(path);
    const local = dir === home;
    const aliases = pkg === undefined ? [] : importAliases(file, pkg.importPath, pkg.name);
    const names = new Set([
      ...(local ? [field.typeName] : []),
      ...aliases.map((a) => `${a}.${field.typeName}`),
    ]);
    if (names.size === 0) continue;
    const funcs = await repo.functionsOfFile(path);
    for (const node of descendantsOfType(file.root, [
      'composite_literal',
      'call_expression',
      'var_spec',
      'assignment_statement',
    ])) {
      const found = await fieldSite(repo, file, funcs, node, field, names);
      if (found !== undefined) out.push({ ...(await site(repo, file, node)), ...found });
    }
  }
  return out;
}

async function fieldSite(
  repo: GoRepo,
  file: GoFile,
  funcs: GoFunction[],
  node: GoNode,
  field: StructField,
  names: Set<string>,
): Promise<Pick<ConstructionSite, 'kind' | 'sets'> | undefined> {
  if (node.type === 'composite_literal') {
    const type = node.childForFieldName('type')?.text ?? '';
    if (!names.has(type.replace(/\[.*\]$/s, ''))) return undefined;
    const keys = descendantsOfType(node.childForFieldName('body') ?? node, 'keyed_element')
      .filter((k) => k.parent?.parent?.id === node.id)
      .map((k) => k.namedChildren[0]?.text);
    return { kind: 'composite-literal', sets: keys.includes(field.field) };
  }
  if (node.type === 'call_expression') {
    const callee = node.childForFieldName('function')?.text;
    const arg = node.childForFieldName('arguments')?.namedChildren[0]?.text;
    return callee === 'new' && arg !== undefined && names.has(arg) ? { kind: 'new', sets: false } : undefined;
  }
  if (node.type === 'var_spec') {
    const type = node.childForFieldName('type')?.text;
    return type !== undefined && names.has(type) && node.childForFieldName('value') === null
      ? { kind: 'zero-var', sets: false }
      : undefined;
  }
  for (const left of node.childForFieldName('left')?.namedChildren ?? []) {
    if (left.type !== 'selector_expression' || left.childForFieldName('field')?.text !== field.field)
      continue;
    const owner = await typeOfExpression(
      repo,
      file,
      enclosingFunction(funcs, node),
      left.childForFieldName('operand') ?? left,
    );
    if (owner !== undefined && baseTypeName(owner) === field.typeName)
      return { kind: 'assignment', sets: true };
  }
  return undefined;
}

async function variableSites(repo: GoRepo, variable: VariableDecl): Promise<ConstructionSite[]> {
  const file = await repo.file(variable.file);
  const declHasValue =
    variable.decl.type === 'short_var_declaration' || variable.decl.childForFieldName('value') != null;
  const out: ConstructionSite[] = [
    { ...(await site(repo, file, variable.decl)), kind: 'declaration', sets: declHasValue },
  ];
  const funcs = await repo.functionsOfFile(variable.file);
  const scope =
    variable.scope === 'package' ? file.root : (enclosingFunction(funcs, variable.decl)?.node ?? file.root);
  for (const node of descendantsOfType(scope, 'assignment_statement')) {
    const left = node.childForFieldName('left')?.namedChildren ?? [];
    if (left.some((l) => l.type === 'identifier' && l.text === variable.name)) {
      out.push({ ...(await site(repo, file, node)), kind: 'assignment', sets: true });
    }
  }
  return out;
}
