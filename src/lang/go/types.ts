/**
 * Light, syntax-only type resolution: the declared type of an identifier in a function, of a
 * struct field, and of simple expressions (`&T{}`, `new(T)`, `NewT()`, `x.f`). It is not a type
 * checker: it answers what the source says plainly and returns undefined otherwise.
 */
import type { GoFunction } from './functions.js';
import type { GoNode } from './parser.js';
import type { GoRepo } from './repo.js';
import { dirOf } from './repo.js';
import { descendantsOfType, type GoFile } from './source.js';

export interface StructField {
  typeName: string;
  field: string;
  /** The field's type as written (`map[string]int`). */
  type: string;
  /** The field_declaration node. */
  decl: GoNode;
  file: string;
}

/** A local, parameter, receiver or package-level variable declaration. */
export interface VariableDecl {
  name: string;
  scope: 'receiver' | 'parameter' | 'local' | 'package';
  /** Declared or inferred type as written, when the source says it plainly. */
  type: string | undefined;
  /** The node that declares it (parameter_declaration, var_spec, short_var_declaration...). */
  decl: GoNode;
  file: string;
}

/** `*pkg.T[int]` → `T`: the bare type name a struct lookup needs. */
export function baseTypeName(type: string): string {
  return type
    .replace(/^[*&\s]+/, '')
    .replace(/\[.*\]$/s, '')
    .replace(/^.*\./, '');
}

/** The type of a struct field, found in the package of `dir`. */
export async function findField(
  repo: GoRepo,
  dir: string,
  typeName: string,
  field: string,
): Promise<StructField | undefined> {
  const pkg = await repo.package(dir);
  for (const path of pkg?.files ?? []) {
    const file = await repo.file(path);
    for (const spec of descendantsOfType(file.root, 'type_spec')) {
      if (spec.childForFieldName('name')?.text !== typeName) continue;
      const struct = spec.childForFieldName('type');
      if (struct?.type !== 'struct_type') continue;
      for (const decl of descendantsOfType(struct, 'field_declaration')) {
        const names = decl.namedChildren.filter((n) => n.type === 'field_identifier').map((n) => n.text);
        const type = decl.childForFieldName('type')?.text;
        if (names.includes(field) && type !== undefined) return { typeName, field, type, decl, file: path };
      }
    }
  }
  return undefined;
}

/** Declarations of `name` visible at `at` in `fn`, innermost first; then the package-level one. */
export async function findVariable(
  repo: GoRepo,
  file: GoFile,
  fn: GoFunction | undefined,
  name: string,
  at: number,
): Promise<VariableDecl | undefined> {
  if (fn !== undefined) {
    const local = localDecl(file, fn, name, at);
    if (local !== undefined) return local;
  }
  const dir = dirOf(file.path);
  const pkg = await repo.package(dir);
  for (const path of pkg?.files ?? [file.path]) {
    const other = await repo.file(path);
    for (const top of other.root.namedChildren) {
      if (top.type !== 'var_declaration') continue;
      for (const spec of descendantsOfType(top, 'var_spec')) {
        const found = fromSpec(spec, name, path, 'package');
        if (found !== undefined)
          return {
            ...found,
            type:
              found.type ?? (await exprType(repo, dir, spec.childForFieldName('value')?.namedChildren[0])),
          };
      }
    }
  }
  return undefined;
}

function localDecl(file: GoFile, fn: GoFunction, name: string, at: number): VariableDecl | undefined {
  if (fn.receiver?.name === name) {
    const decl = fn.node.childForFieldName('receiver') ?? fn.node;
    return {
      name,
      scope: 'receiver',
      type: fn.receiver.pointer ? `*${fn.receiver.type}` : fn.receiver.type,
      decl,
      file: file.path,
    };
  }
  const param = fn.params.find((p) => p.name === name) ?? fn.results.find((p) => p.name === name);
  if (param !== undefined) {
    const decl = fn.node.childForFieldName('parameters') ?? fn.node;
    return { name, scope: 'parameter', type: param.type, decl, file: file.path };
  }
  if (fn.body === null) return undefined;
  // The last declaration before the use wins (shadowing in nested blocks is rare in blamed code).
  let found: VariableDecl | undefined;
  for (const node of descendantsOfType(fn.body, ['var_spec', 'short_var_declaration', 'range_clause'])) {
    if (node.startIndex > at) break;
    const hit =
      node.type === 'var_spec' ? fromSpec(node, name, file.path, 'local') : fromShort(node, name, file.path);
    if (hit !== undefined) found = hit;
  }
  return found;
}

function fromSpec(
  spec: GoNode,
  name: string,
  file: string,
  scope: 'local' | 'package',
): VariableDecl | undefined {
  const names = spec.namedChildren.filter((n) => n.type === 'identifier').map((n) => n.text);
  const index = names.indexOf(name);
  if (index === -1) return undefined;
  const declared = spec.childForFieldName('type')?.text;
  const value = spec.childForFieldName('value')?.namedChildren[index];
  return { name, scope, type: declared ?? literalType(value), decl: spec, file };
}

function fromShort(node: GoNode, name: string, file: string): VariableDecl | undefined {
  const left = node.childForFieldName('left');
  const names = left?.namedChildren.map((n) => n.text) ?? [];
  const index = names.indexOf(name);
  if (index === -1) return undefined;
  const value =
    node.type === 'range_clause' ? undefined : node.childForFieldName('right')?.namedChildren[index];
  return { name, scope: 'local', type: literalType(value), decl: node, file };
}

/** The type an expression obviously has without looking anything up. */
export function literalType(expr: GoNode | undefined | null): string | undefined {
  if (expr == null) return undefined;
  if (expr.type === 'composite_literal') return expr.childForFieldName('type')?.text;
  if (expr.type === 'unary_expression' && expr.children[0]?.type === '&') {
    const inner = literalType(expr.childForFieldName('operand'));
    return inner === undefined ? undefined : `*${inner}`;
  }
  if (expr.type === 'call_expression') {
    const callee = expr.childForFieldName('function')?.text;
    const first = expr.childForFieldName('arguments')?.namedChildren[0];
    if ((callee === 'make' || callee === 'new') && first !== undefined) {
      return callee === 'new' ? `*${first.text}` : first.text;
    }
  }
  return undefined;
}

/** Like literalType, but also follows calls of functions in the same package (`NewStore()` → `*Store`). */
export async function exprType(
  repo: GoRepo,
  dir: string,
  expr: GoNode | undefined | null,
): Promise<string | undefined> {
  const plain = literalType(expr);
  if (plain !== undefined || expr?.type !== 'call_expression') return plain;
  const callee = expr.childForFieldName('function');
  if (callee?.type !== 'identifier') return undefined;
  const fn = (await repo.functions(dir)).find((f) => f.kind === 'function' && f.name === callee.text);
  return fn?.results[0]?.type;
}

/** Result `index` of a call of a same-package method (`h.lookup(r)`, the receiver's type known) as written. */
async function callResult(
  repo: GoRepo,
  file: GoFile,
  fn: GoFunction | undefined,
  call: GoNode | undefined,
  index: number,
): Promise<string | undefined> {
  const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : undefined;
  if (callee == null) return undefined;
  const dir = dirOf(file.path);
  const funcs = await repo.functions(dir);
  if (callee.type === 'identifier')
    return funcs.find((f) => f.kind === 'function' && f.name === callee.text)?.results[index]?.type;
  if (callee.type !== 'selector_expression') return undefined;
  const operand = callee.childForFieldName('operand');
  const owner = operand == null ? undefined : await typeOfExpression(repo, file, fn, operand);
  if (owner === undefined || owner.replace(/^\*/, '').includes('.')) return undefined;
  const name = callee.childForFieldName('field')?.text;
  const method = funcs.find(
    (f) => f.kind === 'method' && f.name === name && f.receiver?.type === baseTypeName(owner),
  );
  return method?.results[index]?.type;
}

/** The struct field a selector `x.f` (or `x.f.g`) names in `fn`, when the source says `x`'s type plainly. */
export async function selectedField(
  repo: GoRepo,
  file: GoFile,
  fn: GoFunction | undefined,
  selector: GoNode,
): Promise<StructField | undefined> {
  const operand = selector.childForFieldName('operand');
  const name = selector.childForFieldName('field')?.text;
  if (operand == null || name === undefined) return undefined;
  const owner = await typeOfExpression(repo, file, fn, operand);
  if (owner === undefined) return undefined;
  return findField(repo, dirOf(file.path), baseTypeName(owner), name);
}

/** The type of `x` or `x.f` (or `x.f.g`) at `at` in `fn`, when the source says it plainly. */
export async function typeOfExpression(
  repo: GoRepo,
  file: GoFile,
  fn: GoFunction | undefined,
  expr: GoNode,
): Promise<string | undefined> {
  const dir = dirOf(file.path);
  if (expr.type === 'identifier') {
    const decl = await findVariable(repo, file, fn, expr.text, expr.startIndex);
    if (decl === undefined) return undefined;
    if (decl.type !== undefined) return decl.type;
    if (decl.decl.type === 'short_var_declaration') {
      const names = decl.decl.childForFieldName('left')?.namedChildren.map((n) => n.text) ?? [];
      const right = decl.decl.childForFieldName('right')?.namedChildren ?? [];
      const index = names.indexOf(expr.text);
      // `u, ok := h.lookup(r)`: one call on the right gives every name on the left its own result.
      if (right.length === 1 && names.length > 1 && right[0]?.type === 'call_expression')
        return callResult(repo, file, fn, right[0], index);
      return (await exprType(repo, dir, right[index])) ?? callResult(repo, file, fn, right[index], 0);
    }
    return undefined;
  }
  if (expr.type === 'selector_expression') return (await selectedField(repo, file, fn, expr))?.type;
  if (expr.type === 'parenthesized_expression') {
    const inner = expr.namedChildren[0];
    return inner === undefined ? undefined : typeOfExpression(repo, file, fn, inner);
  }
  if (expr.type === 'index_expression') {
    const operand = expr.childForFieldName('operand');
    const container = operand == null ? undefined : await typeOfExpression(repo, file, fn, operand);
    return container === undefined ? undefined : elementType(container);
  }
  return literalType(expr);
}

/** `map[K]V` → `V`, `[]T` / `[N]T` → `T`; undefined for anything else. */
export function elementType(container: string): string | undefined {
  const t = container.trim();
  if (t.startsWith('map[')) {
    let depth = 0;
    for (let i = 3; i < t.length; i++) {
      if (t[i] === '[') depth++;
      else if (t[i] === ']' && --depth === 0) return t.slice(i + 1).trim();
    }
    return undefined;
  }
  const slice = /^\[[^\]]*\](.+)$/s.exec(t);
  return slice?.[1]?.trim();
}
