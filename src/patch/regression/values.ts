/**
 * Go expressions for the values a regression test passes: recorded words, the recorded request,
 * and receivers built the way production builds them (the constructor with the arguments the
 * program passes, when those are literals the test can copy).
 */
import { baseTypeName, descendantsOfType, findCallers, type GoFunction } from '../../lang/go/index.js';
import { zeroValue } from '../go/returns.js';
import { type BuildContext, fresh } from './context.js';
import { portable, productionLiteral } from './copy.js';
import { type ArgWord, literalFor } from './recorded.js';
import { fromRecordedInput, fromRequestBody } from './request-body.js';
import { productionCopier } from './setup.js';

export type { BuildContext } from './context.js';
export { fresh, goString, goText } from './context.js';

export interface ValueRequest {
  /** Parameter name, for notes. */
  name: string;
  /** The type as written in `from`. */
  type: string;
  /** The argument word the traceback recorded for it. */
  word?: ArgWord | undefined;
  /** Repository-relative file the type is written in: its imports qualify `pkg.T`. */
  from?: string;
  depth?: number;
  /** The method's receiver: built like production builds it, never decoded from the request. */
  receiver?: boolean;
}

/** An expression of the requested type, preferring what the incident recorded. */
export async function valueFor(ctx: BuildContext, req: ValueRequest): Promise<string> {
  const { name, type, word } = req;
  const depth = req.depth ?? 0;
  const recorded = literalFor(type, word, ctx.harvest);
  if (recorded !== undefined) {
    ctx.notes.push(`${name || type}: ${recorded.note}`);
    return recorded.code;
  }
  if (type === 'context.Context') {
    ctx.imports.add('context');
    return 'context.Background()';
  }
  const decoded =
    req.receiver === true
      ? undefined
      : ((await fromRequestBody(ctx, name, type)) ?? (await fromRecordedInput(ctx, name, type)));
  if (decoded !== undefined) return decoded;
  const local = /^\*?[A-Za-z_]\w*$/.test(type)
    ? await buildLocal(ctx, baseTypeName(type), type.startsWith('*'), depth)
    : undefined;
  if (local !== undefined) return local;
  const zero = await zeroValue(ctx.repo, ctx.dir, type);
  if (req.from !== undefined) await importQualifiers(ctx, req.from, zero);
  return zero;
}

/** Adds the imports that `pkg.T` qualifiers in `code` need, as the file `from` imports them. */
async function importQualifiers(ctx: BuildContext, from: string, code: string): Promise<void> {
  const qualifiers = new Set([...code.matchAll(/\b([A-Za-z_]\w*)\.[A-Za-z_]/g)].map((m) => m[1] as string));
  if (qualifiers.size === 0) return;
  const file = await ctx.repo.file(from);
  for (const spec of descendantsOfType(file.root, 'import_spec')) {
    const path = spec.childForFieldName('path')?.text.slice(1, -1) ?? '';
    const alias = spec.childForFieldName('name')?.text;
    const local = alias ?? path.split('/').pop() ?? '';
    if (!qualifiers.has(local)) continue;
    ctx.imports.add(alias === undefined ? path : `${alias} "${path}"`);
  }
}

/** A value of the package's struct type `name`: through its constructor when it has one, else a literal. */
async function buildLocal(
  ctx: BuildContext,
  name: string,
  pointer: boolean,
  depth: number,
): Promise<string | undefined> {
  const funcs = await ctx.repo.functions(ctx.dir);
  const constructors = funcs.filter(
    (f) =>
      f.kind === 'function' &&
      f.typeParams.length === 0 &&
      baseTypeName(f.results[0]?.type ?? '') === name &&
      (f.results[0]?.type.startsWith('*') ?? false) === pointer,
  );
  for (const ctor of constructors) {
    const call = await constructorCall(ctx, ctor, depth);
    if (call === undefined) continue;
    const returnsError = ctor.results.length === 2 && ctor.results[1]?.type === 'error';
    if (ctor.results.length > 1 && !returnsError) continue;
    const v = fresh(ctx, lowerFirst(name));
    if (returnsError) {
      ctx.setup.push(`${v}, err := ${call}`, 'if err != nil {', '\tt.Fatal(err)', '}');
    } else {
      ctx.setup.push(`${v} := ${call}`);
    }
    return v;
  }
  const isStruct = (await zeroValue(ctx.repo, ctx.dir, name)) === `${name}{}`;
  if (!isStruct) return undefined;
  const literal = await productionLiteral(ctx, name);
  if (literal !== undefined) return pointer ? `&${literal}` : literal;
  return pointer ? `&${name}{}` : `${name}{}`;
}

/** `NewLedger(<args>)` with the arguments of a production call where they can be copied. */
async function constructorCall(
  ctx: BuildContext,
  ctor: GoFunction,
  depth: number,
): Promise<string | undefined> {
  if (depth > 3) return undefined;
  const sites = (await findCallers(ctx.repo, ctor)).filter(
    (s) => s.confidence === 'exact' && !s.file.endsWith('_test.go'),
  );
  for (const site of sites) {
    const call =
      site.node.parent?.type === 'selector_expression' ? site.node.parent.parent : site.node.parent;
    const args =
      call?.type === 'call_expression' ? (call.childForFieldName('arguments')?.namedChildren ?? []) : [];
    const values: string[] = [];
    for (const [i, param] of ctor.params.entries()) {
      const arg = args[i];
      ctx.copier ??= await productionCopier(ctx);
      const copied =
        arg === undefined
          ? undefined
          : ((await portable(ctx, site.file, arg)) ?? (await ctx.copier?.copy(site.file, arg)));
      // A variadic parameter takes nothing unless production passes something the test can copy.
      if (param.type.startsWith('...') && copied === undefined) break;
      if (copied !== undefined) {
        ctx.notes.push(`${ctor.name} gets ${param.name || param.type} as built at ${site.file}:${site.line}`);
        values.push(copied);
      } else {
        values.push(
          await valueFor(ctx, { name: param.name, type: param.type, from: ctor.file, depth: depth + 1 }),
        );
      }
    }
    return `${ctor.name}(${values.join(', ')})`;
  }
  if (ctor.params.length > 0) return undefined;
  return `${ctor.name}()`;
}

function lowerFirst(s: string): string {
  const lowered = s.charAt(0).toLowerCase() + s.slice(1);
  return /^(func|type|var|map|chan|go|if|for|range|select|case|default|break|continue|return|struct|interface|package|import|const|defer|goto|switch|else|fallthrough)$/.test(
    lowered,
  )
    ? `${lowered}Value`
    : lowered;
}
