/** add-mutex: a sync.Mutex in the struct, held (with deferred unlock) by every function that touches the shared fields. */
import { descendantsOfType, dirOf, type GoFunction, type GoNode, type GoRepo } from '../../lang/go/index.js';
import { addStructField, deleteStatementLine, insertAtBlockStart } from '../go/edit.js';
import { noValueReceivers } from './channels.js';
import { type Applied, addEdits, appliedIn, freshName, precondition } from './common.js';
import type { OpOf } from './schema.js';

type AddMutex = OpOf<'add-mutex'>;

/** A function body that must hold the lock: a method, or a closure it starts with `go`. */
interface Unit {
  fn: GoFunction;
  body: GoNode;
  receiver: string;
}

/** Accesses of `recv.field` directly in `body` (not inside closures started with `go`, which lock themselves). */
function accesses(body: GoNode, receiver: string, fields: readonly string[]): GoNode[] {
  const hits: GoNode[] = [];
  const visit = (n: GoNode): void => {
    if (n.type === 'func_literal' && n.parent?.parent?.type === 'go_statement') return;
    if (
      n.type === 'selector_expression' &&
      n.childForFieldName('operand')?.text === receiver &&
      fields.includes(n.childForFieldName('field')?.text ?? '')
    ) {
      hits.push(n);
      return;
    }
    for (const c of n.namedChildren) visit(c);
  };
  for (const c of body.namedChildren) visit(c);
  return hits;
}

/**
 * What a unit needs: nothing when it takes the lock before its first access; `insert` when it never
 * locks; `hoist` when it reads before locking (an unlocked fast path): the Lock and deferred Unlock
 * move to the top. Anything subtler (manual Unlock, locks in nested blocks) is left to a human.
 */
function lockPlan(
  unit: Unit,
  mu: string,
  fields: readonly string[],
): { kind: 'held' } | { kind: 'insert' } | { kind: 'hoist'; remove: GoNode[] } {
  const lockText = `${unit.receiver}.${mu}.Lock()`;
  const rlockText = `${unit.receiver}.${mu}.RLock()`;
  if (!unit.body.text.includes(lockText) && !unit.body.text.includes(rlockText)) return { kind: 'insert' };
  const list = unit.body.namedChildren.find((n) => n.type === 'statement_list') ?? unit.body;
  const statements = list.namedChildren;
  const lock = statements.find(
    (st) => st.type === 'expression_statement' && (st.text === lockText || st.text === rlockText),
  );
  const first = accesses(unit.body, unit.receiver, fields)[0];
  if (lock !== undefined && first !== undefined && lock.startIndex < first.startIndex)
    return { kind: 'held' };
  const unlock = statements.find(
    (st) =>
      st.type === 'defer_statement' &&
      st.text.replace(/\s+/g, '') ===
        `defer${unit.receiver}.${mu}.${lock?.text === rlockText ? 'RUnlock' : 'Unlock'}()`,
  );
  if (lock === undefined || unlock === undefined)
    throw precondition(`${unit.fn.symbol} locks ${mu} in a way that cannot be moved safely`);
  return { kind: 'hoist', remove: [lock, unlock] };
}

export async function addMutex(repo: GoRepo, op: AddMutex): Promise<Applied> {
  const dir = dirOf(op.file);
  const pkg = await repo.package(dir);
  let struct: GoNode | undefined;
  let structFile: string | undefined;
  for (const path of pkg?.files ?? []) {
    const file = await repo.file(path);
    const spec = descendantsOfType(file.root, 'type_spec').find(
      (s) => s.childForFieldName('name')?.text === op.type,
    );
    if (spec?.childForFieldName('type')?.type === 'struct_type') {
      struct = spec.childForFieldName('type') ?? undefined;
      structFile = path;
    }
  }
  if (struct === undefined || structFile === undefined)
    throw precondition(`${op.type} is not a struct type in ${dir}`);
  const fieldNames = descendantsOfType(struct, 'field_declaration').flatMap((d) =>
    d.namedChildren.filter((n) => n.type === 'field_identifier').map((n) => n.text),
  );
  const missing = op.fields.filter((f) => !fieldNames.includes(f));
  if (missing.length > 0) throw precondition(`${op.type} has no field ${missing.join(', ')}`);
  await noValueReceivers(repo, structFile, op.type);
  // Reuse a mutex the struct already has; otherwise add one.
  const existing = descendantsOfType(struct, 'field_declaration').find((d) =>
    /^sync\.(RW)?Mutex$/.test(d.childForFieldName('type')?.text ?? ''),
  );
  const mu =
    existing?.namedChildren.find((n) => n.type === 'field_identifier')?.text ?? freshName(struct, 'mu');
  const funcs = await repo.functions(dir);
  const units: Unit[] = [];
  for (const fn of funcs) {
    const method = fn.kind === 'method' && fn.receiver?.type === op.type ? fn : undefined;
    const owner =
      method ??
      funcs.find((f) => f.kind === 'method' && f.receiver?.type === op.type && f.symbol === fn.topLevel);
    if (
      owner?.receiver === undefined ||
      fn.body === null ||
      owner.receiver.name === '' ||
      owner.receiver.name === '_'
    )
      continue;
    const goClosure = fn.kind === 'closure' && fn.node.parent?.parent?.type === 'go_statement';
    if (fn.kind === 'closure' && !goClosure) continue;
    if (accesses(fn.body, owner.receiver.name, op.fields).length > 0)
      units.push({ fn, body: fn.body, receiver: owner.receiver.name });
  }
  if (units.length === 0) throw precondition(`no method of ${op.type} touches ${op.fields.join(', ')}`);
  const plans = new Map(units.map((u) => [u, lockPlan(u, mu, op.fields)]));
  const locked = units.filter((u) => plans.get(u)?.kind !== 'held');
  if (locked.length === 0)
    throw precondition(`every method touching ${op.fields.join(', ')} already holds ${mu}`);
  // Holding the lock while calling another locking method on the same value would self-deadlock.
  const names = new Set(units.filter((u) => u.fn.kind === 'method').map((u) => u.fn.name));
  for (const f of funcs)
    if (f.kind === 'method' && f.receiver?.type === op.type && f.body?.text.includes(`.${mu}.Lock()`))
      names.add(f.name);
  for (const unit of locked) {
    for (const call of descendantsOfType(unit.body, 'call_expression')) {
      const callee = call.childForFieldName('function');
      const operand = callee?.childForFieldName('operand')?.text;
      const name = callee?.childForFieldName('field')?.text;
      if (
        callee?.type === 'selector_expression' &&
        operand === unit.receiver &&
        name !== undefined &&
        names.has(name)
      ) {
        throw precondition(`${unit.fn.symbol} calls ${name}, which would lock ${mu} again and deadlock`);
      }
    }
  }
  const applied = appliedIn(undefined, op.line);
  const typeFile = await repo.file(structFile);
  if (existing === undefined)
    addEdits(applied, typeFile, [addStructField(typeFile, struct, `${mu} sync.Mutex`)], ['sync']);
  for (const unit of locked) {
    const file = await repo.file(unit.fn.file);
    const plan = plans.get(unit);
    const removed = plan?.kind === 'hoist' ? plan.remove.map((st) => deleteStatementLine(file, st)) : [];
    const kept = plan?.kind === 'hoist' ? plan.remove.map((st) => st.text.trim()).join('\n') : undefined;
    // Readers take the write lock too: the reference fixes do, and it cannot be wrong, only slower.
    const lock = kept ?? `${unit.receiver}.${mu}.Lock()\ndefer ${unit.receiver}.${mu}.Unlock()`;
    addEdits(applied, file, [insertAtBlockStart(file, unit.body, lock), ...removed]);
  }
  const blamed =
    locked.find((u) => op.function === undefined || u.fn.qualifiedName === op.function) ?? locked[0];
  if (blamed !== undefined) applied.function = blamed.fn.qualifiedName;
  applied.params = {
    type: op.type,
    fields: op.fields.join(','),
    mutex: mu,
    functions: locked.map((u) => u.fn.symbol).join(','),
  };
  const hoisted = locked.filter((u) => plans.get(u)?.kind === 'hoist').map((u) => u.fn.symbol);
  const moved =
    hoisted.length === 0
      ? ''
      : ` (${hoisted.join(', ')} now lock${hoisted.length === 1 ? 's' : ''} before the first read instead of after an unlocked fast path)`;
  applied.explanation = `${existing === undefined ? `Adds a sync.Mutex \`${mu}\` to ${op.type} and holds it` : `Holds ${op.type}'s \`${mu}\``} in ${locked.map((u) => u.fn.symbol).join(', ')}${moved}, so every access to ${op.fields.map((f) => `\`${f}\``).join(', ')} is under the lock and concurrent calls no longer race.`;
  return applied;
}
