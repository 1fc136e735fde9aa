/**
 * return-error: a function that panics on input it cannot handle returns an error instead, and
 * its callers (which must themselves return an error) pass it up, so one bad job fails instead of
 * the process. The error keeps only the constant text of the panic message: the values a panic
 * formats into it (`%+v` of a request, a job) can carry credentials.
 */
import {
  descendantsOfType,
  dirOf,
  enclosingFunction,
  findCallers,
  type GoFunction,
  type GoNode,
  type GoRepo,
  typeOfExpression,
} from '../../lang/go/index.js';
import { insertBefore, replaceNode } from '../go/edit.js';
import { zeroValue } from '../go/returns.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  drift,
  locate,
  MAX_DRIFT,
  nearestTo,
  precondition,
  shortName,
} from './common.js';
import type { OpOf } from './schema.js';

type Op = OpOf<'return-error'>;

/** Return statements of `fn` itself (not of closures inside it). */
function ownReturns(fn: GoFunction): GoNode[] {
  return descendantsOfType(fn.body as GoNode, 'return_statement').filter((r) => {
    for (let up = r.parent; up !== null && up.id !== fn.body?.id; up = up.parent)
      if (up.type === 'func_literal') return false;
    return true;
  });
}

/** `errors.New(...)` from what was panicked with; the constant text only. */
async function errorValue(repo: GoRepo, fn: GoFunction, arg: GoNode): Promise<string> {
  const file = await repo.file(fn.file);
  if ((await typeOfExpression(repo, file, fn, arg)) === 'error') return arg.text;
  const viaFmt =
    arg.type === 'call_expression' &&
    /^fmt\.Sprint(f|ln)?$/.test(arg.childForFieldName('function')?.text ?? '');
  const literal =
    arg.type === 'interpreted_string_literal'
      ? arg.text
      : viaFmt
        ? arg.childForFieldName('arguments')?.namedChildren[0]?.text
        : undefined;
  const constant = JSON.parse(literal?.startsWith('"') ? literal : '""') as string;
  const text = JSON.stringify(
    (constant.split('%')[0]?.replace(/[\s:,;(=]+$/, '') ?? '') || `${fn.name} failed`,
  );
  // A panic built with fmt keeps using fmt, so the import it needed stays used.
  return viaFmt ? `fmt.Errorf(${text})` : `errors.New(${text})`;
}

/** Zero values of `fn`'s results but the trailing error, as its return statements write them. */
async function zeros(repo: GoRepo, fn: GoFunction): Promise<string[]> {
  const params = [...fn.typeParams, ...(fn.receiver?.typeParams ?? [])];
  const values = fn.results.filter((r, i) => !(i === fn.results.length - 1 && r.type === 'error'));
  return Promise.all(values.map((r) => zeroValue(repo, dirOf(fn.file), r.type, params)));
}

export async function returnError(repo: GoRepo, op: Op): Promise<Applied> {
  const located = await locate(repo, op);
  const fn = located.fn;
  if (fn.kind === 'closure' || fn.kind === 'init')
    throw precondition(`${shortName(fn)} is not a named function`);
  const panics = descendantsOfType(located.body, 'call_expression').filter(
    (c) => c.childForFieldName('function')?.text === 'panic' && c.parent?.type === 'expression_statement',
  );
  const call = nearestTo(panics, op.line);
  if (call === undefined || drift(call, op.line) > MAX_DRIFT)
    throw precondition(`${shortName(fn)} does not panic near line ${op.line}`);
  const arg = call.childForFieldName('arguments')?.namedChildren[0];
  if (arg == null) throw precondition('panic without a value');
  const applied = appliedIn(fn, call.startPosition.row + 1);
  const file = located.file;
  const err = await errorValue(repo, fn, arg);
  const imports = err.startsWith('errors.New(') ? ['errors'] : [];
  const hasError = fn.results[fn.results.length - 1]?.type === 'error';
  const zero = await zeros(repo, fn);
  addEdits(applied, file, [replaceNode(call, `return ${[...zero, err].join(', ')}`)], imports);
  const callers: string[] = [];
  if (!hasError) {
    if (fn.results.some((r) => r.name !== '')) throw precondition(`${shortName(fn)} has named results`);
    const result = fn.node.childForFieldName('result');
    const types = fn.results.map((r) => r.type);
    const edits = [];
    if (result == null) {
      const params = fn.node.childForFieldName('parameters') as GoNode;
      edits.push({ start: params.endIndex, end: params.endIndex, text: ' error' });
    } else edits.push(replaceNode(result, `(${[...types, 'error'].join(', ')})`));
    for (const r of ownReturns(fn)) {
      const values = r.namedChildren[0]?.namedChildren ?? [];
      if (values.length === 1 && types.length > 1)
        throw precondition(`line ${r.startPosition.row + 1} returns a call's results`);
      edits.push(replaceNode(r, values.length === 0 ? 'return nil' : `${r.text}, nil`));
    }
    addEdits(applied, file, edits);
    for (const site of await findCallers(repo, fn)) callers.push(await propagate(repo, fn, site, applied));
  }
  applied.params = { panic: call.text.slice(0, 120), error: err, callers: callers.join(',') };
  applied.explanation =
    `${shortName(fn)} panicked on input it cannot handle; it now returns an error` +
    `${callers.length > 0 ? ` that ${callers.join(', ')} pass${callers.length === 1 ? 'es' : ''} up` : ''}, so the one call fails instead of the process. ` +
    'The error keeps only the constant text of the panic message: values formatted into a panic can carry credentials.';
  return applied;
}

/** Rewrites one call site `v := F(...)` (or a bare `F(...)`) to receive the error and return it. */
async function propagate(
  repo: GoRepo,
  fn: GoFunction,
  site: Awaited<ReturnType<typeof findCallers>>[number],
  applied: Applied,
): Promise<string> {
  const where = `${site.file}:${site.line}`;
  if (site.confidence === 'reference') throw precondition(`${fn.name} is used as a value at ${where}`);
  const callee = site.node.parent?.type === 'selector_expression' ? site.node.parent : site.node;
  const call = callee.parent;
  const caller = enclosingFunction(await repo.functionsOfFile(site.file), site.node);
  if (call?.type !== 'call_expression' || caller === undefined)
    throw precondition(`cannot rewrite the call at ${where}`);
  if (caller.results[caller.results.length - 1]?.type !== 'error')
    throw precondition(`${shortName(caller)} (${where}) does not return an error to pass up`);
  const list = call.parent;
  const stmt = list?.type === 'expression_list' ? list.parent : call.parent;
  const file = await repo.file(site.file);
  const back = `if err != nil {\n\treturn ${[...(await zeros(repo, caller)), 'err'].join(', ')}\n}`;
  if (stmt?.type === 'short_var_declaration' && list?.namedChildren.length === 1) {
    const left = stmt.childForFieldName('left')?.text ?? '';
    if (left.split(',').length !== fn.results.length)
      throw precondition(`the call at ${where} is not a plain assignment`);
    const siblings = stmt.parent?.namedChildren ?? [];
    const next = siblings[siblings.findIndex((s) => s.id === stmt.id) + 1];
    if (next === undefined) throw precondition(`nothing follows the call at ${where}`);
    addEdits(applied, file, [
      replaceNode(stmt.childForFieldName('left') as GoNode, `${left}, err`),
      insertBefore(file, next, back),
    ]);
  } else if (stmt?.type === 'expression_statement') {
    const blanks = fn.results.map(() => '_').join(', ');
    addEdits(applied, file, [
      replaceNode(
        stmt,
        `if ${blanks === '' ? '' : `${blanks}, `}err := ${call.text}; err != nil {\n\treturn ${[...(await zeros(repo, caller)), 'err'].join(', ')}\n}`,
      ),
    ]);
  } else {
    throw precondition(`the call at ${where} is inside an expression`);
  }
  return shortName(caller);
}
