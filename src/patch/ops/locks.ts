/**
 * call-locked-variant: a method that runs with its receiver's mutex held calls a method that locks
 * the same mutex again (sync.Mutex is not reentrant, so the goroutine waits on itself). The call
 * goes to the lock-free variant instead: the package's own `fooLocked` when the locking method
 * delegates to it, else one extracted from the locking method's body.
 */
import {
  descendantsOfType,
  dirOf,
  enclosingFunction,
  findCallers,
  type GoFunction,
  type GoNode,
  type GoRepo,
} from '../../lang/go/index.js';
import { replaceNode } from '../go/edit.js';
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

type Op = OpOf<'call-locked-variant'>;

const LOCKS = /^(Lock|RLock)$/;

/** `l.mu` in `l.mu.Lock()`: the mutex a statement locks, if it is a plain Lock/RLock of `recv.<path>`. */
function lockedMutex(stmt: GoNode, recv: string): string | undefined {
  if (stmt.type !== 'expression_statement') return undefined;
  const call = stmt.namedChildren[0];
  const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : undefined;
  if (callee?.type !== 'selector_expression') return undefined;
  if (!LOCKS.test(callee.childForFieldName('field')?.text ?? '')) return undefined;
  const mutex = callee.childForFieldName('operand')?.text ?? '';
  return mutex.startsWith(`${recv}.`) ? mutex.slice(recv.length + 1) : undefined;
}

function statements(body: GoNode): GoNode[] {
  const list = body.namedChildren.find((n) => n.type === 'statement_list');
  return (list ?? body).namedChildren.filter((n) => n.type !== 'comment');
}

/** Whether `body` locks `recv.<mu>` before offset `at` with no plain Unlock in between (a deferred one does not release it). */
function holdsAt(body: GoNode, recv: string, mu: string, at: number): boolean {
  let held = false;
  for (const call of descendantsOfType(body, 'call_expression')) {
    if (call.startIndex >= at) break;
    const callee = call.childForFieldName('function');
    if (
      callee?.type !== 'selector_expression' ||
      callee.childForFieldName('operand')?.text !== `${recv}.${mu}`
    )
      continue;
    const method = callee.childForFieldName('field')?.text ?? '';
    if (LOCKS.test(method)) held = true;
    else if (/^R?Unlock$/.test(method) && call.parent?.type !== 'defer_statement') held = false;
  }
  return held;
}

/** Every in-package caller of `fn` calls it with the receiver's `mu` held; undefined when there is none. */
async function heldByCallers(repo: GoRepo, fn: GoFunction, mu: string): Promise<string[] | undefined> {
  const sites = (await findCallers(repo, fn)).filter(
    (s) => s.confidence !== 'reference' && !s.file.endsWith('_test.go'),
  );
  const holders: string[] = [];
  for (const site of sites) {
    const caller = enclosingFunction(await repo.functionsOfFile(site.file), site.node);
    const operand = site.node.parent?.childForFieldName('operand')?.text;
    if (caller?.body == null || operand === undefined) return undefined;
    if (!holdsAt(caller.body, operand, mu, site.node.startIndex)) return undefined;
    holders.push(caller.symbol);
  }
  return holders.length === 0 ? undefined : holders;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Calls of `recv.<name>(` in a body. */
function callsOf(body: GoNode, recv: string, name: string): GoNode[] {
  return descendantsOfType(body, 'call_expression').filter((c) => {
    const callee = c.childForFieldName('function');
    return (
      callee?.type === 'selector_expression' &&
      callee.childForFieldName('operand')?.text === recv &&
      callee.childForFieldName('field')?.text === name
    );
  });
}

export async function callLockedVariant(repo: GoRepo, op: Op): Promise<Applied> {
  const located = await locate(repo, op);
  const fn = located.fn;
  const recv = fn.receiver;
  if (recv === undefined || recv.name === '' || recv.name === '_')
    throw precondition(`${shortName(fn)} is not a method with a named receiver`);
  const body = located.body;
  const call = nearestTo(callsOf(body, recv.name, op.method), op.line);
  if (call === undefined || drift(call, op.line) > MAX_DRIFT)
    throw precondition(`${shortName(fn)} does not call ${recv.name}.${op.method} near line ${op.line}`);
  const dir = dirOf(fn.file);
  const methods = (await repo.functions(dir)).filter(
    (f) => f.kind === 'method' && f.receiver?.type === recv.type,
  );
  const callee = methods.find((m) => m.name === op.method);
  if (callee?.body == null || callee.receiver === undefined)
    throw precondition(`${op.method} is not a method of ${recv.type}`);
  const calleeRecv = callee.receiver.name;
  const [first, second, ...rest] = statements(callee.body);
  const mu = first === undefined ? undefined : lockedMutex(first, calleeRecv);
  if (mu === undefined) throw precondition(`${op.method} does not start by locking a mutex of its receiver`);
  // The lock must already be held where the call is made, by the method itself or by every caller.
  const holders = holdsAt(body, recv.name, mu, call.startIndex)
    ? [fn.symbol]
    : await heldByCallers(repo, fn, mu);
  if (holders === undefined)
    throw precondition(`${recv.name}.${mu} is not provably held when ${shortName(fn)} calls ${op.method}`);

  const applied = appliedIn(fn, call.startPosition.row + 1);
  const field = call.childForFieldName('function')?.childForFieldName('field') as GoNode;
  const names = [`${lowerFirst(op.method)}Locked`, `${op.method}Locked`, `${lowerFirst(op.method)}NoLock`];
  const existing = methods.find((m) => names.includes(m.name) && m.name !== op.method);
  let variant: string;
  if (existing?.body != null) {
    if (new RegExp(`\\.${mu.replace(/\./g, '\\.')}\\.R?Lock\\(`).test(existing.body.text))
      throw precondition(`${existing.name} locks ${mu} too`);
    // Only a variant the locking method itself delegates to is known to compute the same thing.
    if (callsOf(callee.body, calleeRecv, existing.name).length === 0)
      throw precondition(
        `${op.method} does not delegate to ${existing.name}; they may compute different things`,
      );
    variant = existing.name;
    addEdits(applied, located.file, [replaceNode(field, variant)]);
  } else {
    variant = await extractVariant(repo, callee, {
      mu,
      second,
      rest,
      methods,
      applied,
      name: names[0] as string,
    });
    addEdits(applied, located.file, [replaceNode(field, variant)]);
  }
  applied.params = {
    method: op.method,
    variant,
    mutex: mu,
    heldBy: holders.join(','),
    extracted: String(existing === undefined),
  };
  const where = holders.includes(fn.symbol)
    ? `${shortName(fn)} holds`
    : `${holders.join(', ')} hold${holders.length === 1 ? 's' : ''}`;
  applied.explanation =
    `${where} ${recv.name}.${mu} when ${shortName(fn)} calls ${op.method}, which locks it again; ` +
    `sync.Mutex is not reentrant, so the goroutine waited on itself. ${shortName(fn)} now calls ` +
    `${variant}${existing === undefined ? `, ${op.method}'s body without the lock (extracted; ${op.method} keeps locking and delegates to it)` : `, the variant for callers that hold the lock`}.`;
  return applied;
}

/**
 * Splits `func (r *T) M(...) R { r.mu.Lock(); defer r.mu.Unlock(); <rest> }` into M, which locks and
 * delegates, and `mLocked` holding <rest>. Anything but that exact prologue is left to a human.
 */
async function extractVariant(
  repo: GoRepo,
  callee: GoFunction,
  parts: {
    mu: string;
    second: GoNode | undefined;
    rest: GoNode[];
    methods: GoFunction[];
    applied: Applied;
    name: string;
  },
): Promise<string> {
  const recv = callee.receiver?.name ?? '';
  const { mu, second, rest } = parts;
  const unlock = second?.text.replace(/\s+/g, '') ?? '';
  if (!new RegExp(`^defer${recv}\\.${mu.replace(/\./g, '\\.')}\\.R?Unlock\\(\\)$`).test(unlock))
    throw precondition(`${callee.name} does not defer its unlock right after locking`);
  const first = rest[0];
  const last = rest[rest.length - 1];
  if (first === undefined || last === undefined) throw precondition(`${callee.name} does nothing but lock`);
  const restText = rest.map((s) => s.text).join('\n');
  if (restText.includes(`${recv}.${mu}.`))
    throw precondition(`${callee.name} uses ${mu} again after locking it`);
  for (const m of parts.methods) {
    if (
      m.body != null &&
      m.name !== callee.name &&
      lockedMutex(statements(m.body)[0] ?? m.body, m.receiver?.name ?? '') === mu
    ) {
      if (rest.some((s) => callsOf(s, recv, m.name).length > 0))
        throw precondition(`${callee.name} calls ${m.name}, which locks ${mu} too`);
    }
  }
  if (callee.params.some((p) => p.name === '' || p.name === '_'))
    throw precondition(`${callee.name} has unnamed parameters`);
  const used = new Set(parts.methods.map((m) => m.name));
  let name = parts.name;
  for (let i = 2; used.has(name); i++) name = `${parts.name}${i}`;
  const file = await repo.file(callee.file);
  const node = callee.node;
  const receiverText = node.childForFieldName('receiver')?.text ?? '';
  const paramsText = node.childForFieldName('parameters')?.text ?? '()';
  const resultText = node.childForFieldName('result')?.text;
  const args = callee.params.map((p) => (p.type.startsWith('...') ? `${p.name}...` : p.name)).join(', ');
  const delegate = `${callee.results.length > 0 ? 'return ' : ''}${recv}.${name}(${args})`;
  const restStart = file.lineStarts[first.startPosition.row] ?? first.startIndex;
  const indent = file.source.slice(restStart, first.startIndex);
  const method = [
    '',
    '',
    `// ${name} is ${callee.name} for callers that already hold ${recv}.${mu}.`,
    `func ${receiverText} ${name}${paramsText}${resultText === undefined ? '' : ` ${resultText}`} {`,
    `${file.source.slice(restStart, last.endIndex)}`,
    '}',
  ].join('\n');
  addEdits(parts.applied, file, [
    { start: restStart, end: last.endIndex, text: `${indent}${delegate}` },
    { start: node.endIndex, end: node.endIndex, text: method },
  ]);
  return name;
}
