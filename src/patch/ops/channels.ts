/** Channel closes: close at most once through a sync.Once, or leave closing to the channel's owner. */
import {
  descendantsOfType,
  dirOf,
  enclosingFunction,
  findCallers,
  type GoFile,
  type GoFunction,
  type GoNode,
  type GoRepo,
  indentOf,
  resolveTarget,
  sameState,
} from '../../lang/go/index.js';
import { addStructField, deleteStatementLine, replaceNode } from '../go/edit.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  findExpr,
  freshName,
  isPure,
  locate,
  type OpSite,
  precondition,
  sameExpr,
  shortName,
} from './common.js';
import type { OpOf } from './schema.js';

/** The `close(channel)` call nearest the line. */
function closeCall(located: OpSite, op: { line: number; channel: string }): GoNode {
  const call = findExpr(located.body, op.line, ['call_expression'], `close(${op.channel})`);
  return call;
}

/** Every `close(x)` in the package whose argument is the same field or variable as `arg`. */
async function closesOf(
  repo: GoRepo,
  located: OpSite,
  arg: GoNode,
): Promise<{ file: GoFile; call: GoNode; fn: GoFunction | undefined }[]> {
  const target = await resolveTarget(repo, located.file, located.fn, arg);
  const pkg = await repo.packageOfFile(located.file.path);
  const out: { file: GoFile; call: GoNode; fn: GoFunction | undefined }[] = [];
  for (const path of pkg?.files ?? [located.file.path]) {
    const file = await repo.file(path);
    const funcs = await repo.functionsOfFile(path);
    for (const call of descendantsOfType(file.root, 'call_expression')) {
      if (call.childForFieldName('function')?.text !== 'close') continue;
      const other = call.childForFieldName('arguments')?.namedChildren[0];
      if (other == null) continue;
      const fn = enclosingFunction(funcs, call);
      const same =
        target === undefined
          ? sameExpr(other.text, arg.text) && fn?.qualifiedName === located.fn.qualifiedName
          : sameState(await resolveTarget(repo, file, fn, other), target);
      if (same) out.push({ file, call, fn });
    }
  }
  return out;
}

export async function closeOnce(repo: GoRepo, op: OpOf<'close-once'>): Promise<Applied> {
  const located = await locate(repo, op);
  const call = closeCall(located, op);
  const arg = call.childForFieldName('arguments')?.namedChildren[0];
  if (arg == null || !isPure(arg)) throw precondition(`\`${op.channel}\` has side effects`);
  const target = await resolveTarget(repo, located.file, located.fn, arg);
  if (target === undefined) throw precondition(`cannot tell which field or variable \`${op.channel}\` is`);
  const applied = appliedIn(located.fn, call.startPosition.row + 1);
  const sites = await closesOf(repo, located, arg);
  let onceName: string;
  if (target.kind === 'field') {
    const { field } = target;
    const typeFile = await repo.file(field.file);
    const struct = field.decl.parent?.parent;
    if (struct?.type !== 'struct_type') throw precondition(`${field.typeName} is not a struct`);
    await noValueReceivers(repo, field.file, field.typeName);
    onceName = freshName(struct, `${field.field}Once`);
    addEdits(applied, typeFile, [addStructField(typeFile, struct, `${onceName} sync.Once`)], ['sync']);
    for (const site of sites) {
      const a = site.call.childForFieldName('arguments')?.namedChildren[0];
      const owner = a?.childForFieldName('operand')?.text;
      if (owner === undefined)
        throw precondition(`close at line ${site.call.startPosition.row + 1} is not a field close`);
      addEdits(applied, site.file, [
        replaceNode(site.call, `${owner}.${onceName}.Do(func() { close(${a?.text}) })`),
      ]);
    }
  } else {
    const { variable } = target;
    const file = await repo.file(variable.file);
    const stmt =
      variable.scope === 'package'
        ? variable.decl.parent
        : variable.decl.type === 'var_spec'
          ? variable.decl.parent
          : variable.decl;
    if (stmt == null || variable.scope === 'parameter' || variable.scope === 'receiver')
      throw precondition(`\`${variable.name}\` is a parameter; its closes cannot share a sync.Once here`);
    onceName = freshName(file.root, `${variable.name}Once`);
    const indent = /^[\t ]*/.exec(file.source.slice(file.lineStarts[stmt.startPosition.row] ?? 0))?.[0] ?? '';
    addEdits(
      applied,
      file,
      [{ start: stmt.endIndex, end: stmt.endIndex, text: `\n${indent}var ${onceName} sync.Once` }],
      ['sync'],
    );
    for (const site of sites)
      addEdits(applied, site.file, [
        replaceNode(site.call, `${onceName}.Do(func() { close(${op.channel}) })`),
      ]);
  }
  applied.params = { channel: op.channel, once: onceName, sites: String(sites.length) };
  applied.explanation = `Closes \`${op.channel}\` through a sync.Once (${sites.length} close ${sites.length === 1 ? 'site' : 'sites'}), so a second close is a no-op instead of a panic.`;
  return applied;
}

/** A sync.Once or sync.Mutex in a struct copied by value is a bug `go vet` reports; refuse such types. */
export async function noValueReceivers(repo: GoRepo, file: string, typeName: string): Promise<void> {
  const dir = dirOf(file);
  const value = (await repo.functions(dir)).find((f) => f.receiver?.type === typeName && !f.receiver.pointer);
  if (value !== undefined)
    throw precondition(
      `${typeName} has a value receiver (${value.symbol}); a lock or Once inside it would be copied`,
    );
}

/** A function the channel is passed to that closes the matching parameter: the channel's owner. */
async function closedByCallee(
  repo: GoRepo,
  located: OpSite,
  arg: GoNode,
): Promise<{ fn: GoFunction; param: string } | undefined> {
  for (const path of await repo.goFiles()) {
    if (path.endsWith('_test.go')) continue;
    const file = await repo.file(path);
    const funcs = await repo.functionsOfFile(path);
    for (const close of descendantsOfType(file.root, 'call_expression')) {
      if (close.childForFieldName('function')?.text !== 'close') continue;
      const closed = close.childForFieldName('arguments')?.namedChildren[0]?.text;
      const fn = enclosingFunction(funcs, close);
      const index = fn?.params.findIndex((p) => p.name === closed && /\bchan\b/.test(p.type)) ?? -1;
      if (fn === undefined || index < 0) continue;
      for (const site of await findCallers(repo, fn)) {
        if (site.confidence === 'reference' || site.file !== located.file.path) continue;
        if (
          site.node.startIndex < located.fn.node.startIndex ||
          site.node.endIndex > located.fn.node.endIndex
        )
          continue;
        const callee = site.node.parent?.type === 'selector_expression' ? site.node.parent : site.node;
        const call = callee.parent;
        if (call?.type !== 'call_expression') continue;
        const passed = call.childForFieldName('arguments')?.namedChildren[index];
        if (passed !== undefined && sameExpr(passed.text, arg.text)) return { fn, param: closed ?? '' };
      }
    }
  }
  return undefined;
}

/** Whether `fn` receives from the channel (ranges over it or reads it): it is the consumer. */
function receives(fn: GoFunction, channel: string): boolean {
  const body = fn.body;
  if (body === null) return false;
  const ranged = descendantsOfType(body, 'range_clause').some((r) =>
    sameExpr(r.childForFieldName('right')?.text ?? '', channel),
  );
  const read = descendantsOfType(body, 'unary_expression').some(
    (u) => u.children[0]?.type === '<-' && sameExpr(u.childForFieldName('operand')?.text ?? '', channel),
  );
  return ranged || read;
}

export async function removeClose(repo: GoRepo, op: OpOf<'remove-close'>): Promise<Applied> {
  const located = await locate(repo, op);
  const call = closeCall(located, op);
  const arg = call.childForFieldName('arguments')?.namedChildren[0];
  if (arg == null) throw precondition('close without an argument');
  const others = (await closesOf(repo, located, arg)).filter((s) => s.call.id !== call.id);
  const owner = others.find((s) => s.fn !== undefined);
  // A channel handed to a function that closes its parameter belongs to that function.
  const callee = owner === undefined ? await closedByCallee(repo, located, arg) : undefined;
  if (owner === undefined && callee === undefined)
    throw precondition(`\`${op.channel}\` is closed nowhere else; removing this close would leave it open`);
  const stmt = call.parent;
  if (stmt?.type !== 'defer_statement' && stmt?.type !== 'expression_statement')
    throw precondition(`close at line ${call.startPosition.row + 1} is not a statement of its own`);
  const applied = appliedIn(located.fn, call.startPosition.row + 1);
  const ownerName =
    callee !== undefined ? callee.fn.symbol : owner?.fn === undefined ? 'its owner' : owner.fn.symbol;
  // A consumer that stops receiving would leave the owner blocked on its next send: drain instead.
  const drain = stmt.type === 'expression_statement' && isPure(arg) && receives(located.fn, arg.text);
  if (drain) {
    addEdits(applied, located.file, [
      replaceNode(
        stmt,
        `go func() {\n\tfor range ${arg.text} {\n\t}\n}()`
          .split('\n')
          .join(`\n${indentOf(located.file, stmt)}`),
      ),
    ]);
  } else {
    addEdits(applied, located.file, [deleteStatementLine(located.file, stmt)]);
  }
  applied.params = { channel: op.channel, owner: ownerName, drain: String(drain) };
  const why =
    callee !== undefined
      ? `, which receives it as \`${callee.param}\` and closes it when done`
      : ', which also closes it';
  applied.explanation = drain
    ? `Leaves closing \`${op.channel}\` to ${ownerName}${why}; ${shortName(located.fn)} drains the rest of it in the background instead, so the owner's later sends neither panic nor block.`
    : `Leaves closing \`${op.channel}\` to ${ownerName}${why}, so ${shortName(located.fn)} no longer closes it a second time.`;
  return applied;
}
