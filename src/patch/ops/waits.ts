/** Goroutines that wait forever on a channel: select on a done signal, or buffer the lone send. */
import {
  ancestorOfType,
  descendantsOfType,
  dirOf,
  enclosingFunction,
  findField,
  findVariable,
  type GoNode,
  type GoRepo,
  typeOfExpression,
} from '../../lang/go/index.js';
import { replaceNode } from '../go/edit.js';
import { earlyReturn } from '../go/returns.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  drift,
  locate,
  MAX_DRIFT,
  nearestTo,
  nearSite,
  type OpSite,
  precondition,
  sameExpr,
  shortName,
} from './common.js';
import type { OpOf } from './schema.js';

/** What ends the wait: a context in scope (parameter, request) or a done/quit/stop channel field of the receiver. */
async function doneSignal(
  repo: GoRepo,
  located: OpSite,
  at: GoNode,
): Promise<{ done: string; err?: string } | undefined> {
  const funcs = (await repo.functionsOfFile(located.file.path)).filter(
    (f) => f.node.startIndex <= at.startIndex && at.endIndex <= f.node.endIndex,
  );
  for (const fn of funcs.sort((a, b) => b.node.startIndex - a.node.startIndex)) {
    const ctx = fn.params.find((p) => p.type === 'context.Context' && p.name !== '_' && p.name !== '');
    if (ctx !== undefined) return { done: `${ctx.name}.Done()`, err: `${ctx.name}.Err()` };
    const req = fn.params.find((p) => p.type === '*http.Request' && p.name !== '_' && p.name !== '');
    if (req !== undefined)
      return { done: `${req.name}.Context().Done()`, err: `${req.name}.Context().Err()` };
  }
  const top = funcs[funcs.length - 1];
  if (top?.receiver !== undefined && top.receiver.name !== '' && top.receiver.name !== '_') {
    const dir = dirOf(top.file);
    for (const name of ['done', 'quit', 'stop', 'closing', 'stopCh', 'doneCh']) {
      const field = await findField(repo, dir, top.receiver.type, name);
      if (field !== undefined && /^(<-\s*)?chan\b/.test(field.type))
        return { done: `${top.receiver.name}.${name}` };
    }
  }
  return undefined;
}

export async function selectOnDone(repo: GoRepo, op: OpOf<'select-on-done'>): Promise<Applied> {
  const located = await locate(repo, op);
  const body = located.body;
  const send = descendantsOfType(body, 'send_statement').filter((s) =>
    sameExpr(s.childForFieldName('channel')?.text ?? '', op.channel),
  );
  const recv = descendantsOfType(body, 'unary_expression').filter(
    (u) => u.children[0]?.type === '<-' && sameExpr(u.childForFieldName('operand')?.text ?? '', op.channel),
  );
  const near = nearestTo([...send, ...recv], op.line);
  if (near === undefined || drift(near, op.line) > MAX_DRIFT)
    throw precondition(`no send or receive on \`${op.channel}\` near line ${op.line}`);
  if (near.parent?.type === 'communication_case' || near.parent?.parent?.type === 'communication_case')
    throw precondition(`the operation on \`${op.channel}\` is already in a select`);
  const fnAt = enclosingFunction(await repo.functionsOfFile(located.file.path), near) ?? located.fn;
  const signal = op.done === undefined ? await doneSignal(repo, located, near) : { done: op.done };
  if (signal === undefined)
    throw precondition(`no context or done channel is in scope of ${shortName(located.fn)}`);
  const ret = await earlyReturn(repo, fnAt, `${shortName(fnAt)}: gave up waiting on ${op.channel}`);
  const code = signal.err !== undefined ? ret.code.replace(/errors\.New\("[^"]*"\)/, signal.err) : ret.code;
  const imports = signal.err !== undefined ? [] : ret.imports;
  let stmt: GoNode;
  let caseLine: string;
  let before = '';
  if (near.type === 'send_statement') {
    stmt = near;
    caseLine = `case ${near.text}:`;
  } else if (near.parent?.type === 'expression_statement') {
    stmt = near.parent;
    caseLine = `case ${near.text}:`;
  } else {
    const list = near.parent;
    const decl = list?.parent;
    if (decl?.type !== 'short_var_declaration' || list?.namedChildren.length !== 1)
      throw precondition(`the receive from \`${op.channel}\` is inside a larger expression`);
    const chanType = await typeOfExpression(
      repo,
      located.file,
      fnAt,
      near.childForFieldName('operand') as GoNode,
    );
    const elem = chanType?.replace(/^(<-\s*)?chan(\s*<-)?\s*/, '');
    const names = decl.childForFieldName('left')?.namedChildren.map((n) => n.text) ?? [];
    if (elem === undefined || elem === chanType || names.length !== 1)
      throw precondition(`cannot tell the element type of \`${op.channel}\``);
    stmt = decl;
    before = `var ${names[0]} ${elem}\n`;
    caseLine = `case ${names[0]} = ${near.text}:`;
  }
  if (stmt.parent?.type !== 'statement_list' && stmt.parent?.type !== 'block')
    throw precondition(`line ${stmt.startPosition.row + 1} is not a plain statement`);
  const indent =
    /^[\t ]*/.exec(located.file.source.slice(located.file.lineStarts[stmt.startPosition.row] ?? 0))?.[0] ??
    '';
  const text = `${before}select {\n${caseLine}\ncase <-${signal.done}:\n${code
    .split('\n')
    .map((l) => `\t${l}`)
    .join('\n')}\n}`;
  const applied = appliedIn(located.fn, stmt.startPosition.row + 1);
  addEdits(applied, located.file, [replaceNode(stmt, text.split('\n').join(`\n${indent}`))], imports);
  applied.params = { channel: op.channel, done: signal.done };
  applied.explanation = `Waits on \`${op.channel}\` in a select that also returns when \`${signal.done}\` fires, so the goroutine exits instead of blocking forever.`;
  return applied;
}

export async function bufferChannel(repo: GoRepo, op: OpOf<'buffer-channel'>): Promise<Applied> {
  const located = await locate(repo, op);
  const send = nearSite(
    located.body,
    op.line,
    (n) => n.type === 'send_statement' && sameExpr(n.childForFieldName('channel')?.text ?? '', op.channel),
    `no send on \`${op.channel}\` near line ${op.line}`,
  );
  const chan = send.childForFieldName('channel');
  if (chan?.type !== 'identifier') throw precondition(`\`${op.channel}\` is not a local channel variable`);
  if (
    ancestorOfType(send, ['for_statement', 'func_literal', 'function_declaration', 'method_declaration'])
      ?.type === 'for_statement'
  ) {
    throw precondition(`the send on \`${op.channel}\` is in a loop; one slot of buffer would not be enough`);
  }
  // The channel is declared in the closure's enclosing function: search outwards.
  const funcs = (await repo.functionsOfFile(located.file.path))
    .filter((f) => f.node.startIndex <= send.startIndex && send.endIndex <= f.node.endIndex)
    .sort((a, b) => b.node.startIndex - a.node.startIndex);
  for (const fn of funcs) {
    const decl = await findVariable(repo, located.file, fn, chan.text, send.startIndex);
    if (decl === undefined || decl.scope === 'package') continue;
    if (decl.scope !== 'local')
      throw precondition(`\`${op.channel}\` is a parameter of ${fn.symbol}; its maker is elsewhere`);
    const names =
      (decl.decl.type === 'short_var_declaration'
        ? decl.decl.childForFieldName('left')
        : decl.decl
      )?.namedChildren.filter((n) => n.type === 'identifier') ?? [];
    const index = names.findIndex((n) => n.text === chan.text);
    const value = (
      decl.decl.type === 'short_var_declaration'
        ? decl.decl.childForFieldName('right')
        : decl.decl.childForFieldName('value')
    )?.namedChildren[index];
    const args =
      value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'make'
        ? value.childForFieldName('arguments')
        : undefined;
    if (args == null || args.namedChildren.length !== 1)
      throw precondition(`\`${op.channel}\` is not made with an unbuffered \`make(chan T)\``);
    const sends = descendantsOfType(fn.node, 'send_statement').filter(
      (s) => s.childForFieldName('channel')?.text === chan.text,
    );
    if (sends.length > 1)
      throw precondition(
        `\`${op.channel}\` has ${sends.length} senders; one slot of buffer would not free them all`,
      );
    const applied = appliedIn(
      located.fn,
      value?.startPosition.row === undefined ? op.line : value.startPosition.row + 1,
    );
    const type = args.namedChildren[0] as GoNode;
    addEdits(applied, located.file, [{ start: type.endIndex, end: type.endIndex, text: ', 1' }]);
    applied.function = fn.qualifiedName;
    applied.params = { channel: op.channel, capacity: '1' };
    applied.explanation = `Gives \`${op.channel}\` a buffer of one so its single sender can finish and exit even after the receiver stopped waiting.`;
    return applied;
  }
  throw precondition(`cannot find where \`${op.channel}\` is made`);
}
