/** Source the test can copy from production code: literal arguments and composite literals that resolve inside the test. */
import { descendantsOfType, findVariable, type GoNode, walk } from '../../lang/go/index.js';
import { CONVERSIONS } from '../ops/common.js';
import type { BuildContext } from './context.js';

const BUILTIN: ReadonlySet<string> = new Set([...CONVERSIONS, 'true', 'false', 'nil', 'bool', 'any', 'len']);

/**
 * The argument's source if the test can use it verbatim: literals built only from builtin types,
 * or a variable (local or package-level) initialised with one.
 */
export async function portable(ctx: BuildContext, path: string, arg: GoNode): Promise<string | undefined> {
  if (selfContained(arg)) return arg.text;
  if (arg.type !== 'identifier') return undefined;
  const file = await ctx.repo.file(path);
  const fn = (await ctx.repo.functionsOfFile(path)).find(
    (f) => f.node.startIndex <= arg.startIndex && arg.endIndex <= f.node.endIndex,
  );
  const decl = await findVariable(ctx.repo, file, fn, arg.text, arg.startIndex);
  if (decl === undefined) return undefined;
  const names = decl.decl.type === 'short_var_declaration' ? decl.decl.childForFieldName('left') : decl.decl;
  const index =
    names?.namedChildren.filter((n) => n.type === 'identifier').findIndex((n) => n.text === arg.text) ?? -1;
  const value =
    decl.decl.type === 'short_var_declaration'
      ? decl.decl.childForFieldName('right')?.namedChildren[index]
      : decl.decl.childForFieldName('value')?.namedChildren[index];
  return value != null && selfContained(value) ? value.text : undefined;
}

/**
 * A composite literal `T{...}` the package's own code builds T with, copied when everything in it
 * resolves inside the test (same-package types, field keys, builtins, imported packages).
 */
export async function productionLiteral(ctx: BuildContext, name: string): Promise<string | undefined> {
  const pkg = await ctx.repo.package(ctx.dir);
  for (const path of pkg?.files ?? []) {
    const file = await ctx.repo.file(path);
    for (const lit of descendantsOfType(file.root, 'composite_literal')) {
      if (lit.childForFieldName('type')?.text !== name) continue;
      const aliases = new Map(
        descendantsOfType(file.root, 'import_spec').map((spec) => {
          const importPath = spec.childForFieldName('path')?.text.slice(1, -1) ?? '';
          const alias = spec.childForFieldName('name')?.text;
          return [
            alias ?? importPath.split('/').pop() ?? '',
            alias === undefined ? importPath : `${alias} "${importPath}"`,
          ] as const;
        }),
      );
      const needed = new Set<string>();
      let ok = true;
      walk(lit, (n) => {
        if (
          n.type === 'call_expression' &&
          !['make', 'new'].includes(n.childForFieldName('function')?.text ?? '')
        )
          ok = false;
        if (n.type === 'func_literal') ok = false;
        if (
          n.type === 'package_identifier' ||
          (n.type === 'identifier' &&
            n.parent?.type === 'selector_expression' &&
            n.parent.childForFieldName('operand')?.id === n.id)
        ) {
          const imp = aliases.get(n.text);
          if (imp === undefined) ok = false;
          else needed.add(imp);
        } else if (n.type === 'identifier' && !BUILTIN.has(n.text) && !isFieldKey(n)) {
          ok = false;
        }
        return ok;
      });
      if (!ok) continue;
      for (const imp of needed) ctx.imports.add(imp);
      ctx.notes.push(`${name} is built as at ${path}:${lit.startPosition.row + 1}`);
      return lit.text;
    }
  }
  return undefined;
}

/** `carts` in `server{carts: ...}`: a field name, not a variable. */
function isFieldKey(n: GoNode): boolean {
  const element = n.parent?.type === 'literal_element' ? n.parent : undefined;
  const keyed = element?.parent;
  return keyed?.type === 'keyed_element' && keyed.namedChildren[0]?.id === element?.id;
}

function selfContained(node: GoNode): boolean {
  let ok = true;
  walk(node, (n) => {
    if ((n.type === 'identifier' || n.type === 'type_identifier') && !BUILTIN.has(n.text)) ok = false;
    if (
      n.type === 'call_expression' ||
      n.type === 'func_literal' ||
      n.type === 'qualified_type' ||
      n.type === 'selector_expression'
    )
      ok = false;
    return ok;
  });
  return ok;
}
