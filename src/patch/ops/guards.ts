/** Guards that return early before a statement would panic: nil values, out-of-range indexes, zero divisors, failed type assertions. */
import { dirOf, type GoNode, type GoRepo, typeOfExpression } from '../../lang/go/index.js';
import { insertBefore, replaceNode } from '../go/edit.js';
import { guard, underlyingType } from '../go/returns.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  CONVERSIONS,
  enclosingStatement,
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

/** The statement right before `stmt` is already `if <condition>`. */
function guardedBy(stmt: GoNode, condition: string): boolean {
  const siblings = stmt.parent?.namedChildren ?? [];
  const previous = siblings[siblings.findIndex((s) => s.id === stmt.id) - 1];
  const cond = previous?.type === 'if_statement' ? previous.childForFieldName('condition')?.text : undefined;
  return cond !== undefined && sameExpr(cond, condition);
}

/** A statement that declares a name the guard reads cannot be guarded before itself. */
function declaresUsed(stmt: GoNode, expr: GoNode): boolean {
  if (stmt.type !== 'short_var_declaration') return false;
  const declared = new Set(stmt.childForFieldName('left')?.namedChildren.map((n) => n.text) ?? []);
  const used: string[] = [];
  const visit = (n: GoNode): void => {
    if (n.type === 'identifier') used.push(n.text);
    for (const c of n.namedChildren) visit(c);
  };
  visit(expr);
  return used.some((u) => declared.has(u));
}

async function insertGuard(
  repo: GoRepo,
  located: OpSite,
  at: GoNode,
  reads: GoNode[],
  condition: string,
  message: string,
  applied: Applied,
): Promise<void> {
  const stmt = enclosingStatement(at);
  if (reads.some((r) => declaresUsed(stmt, r)))
    throw precondition(
      `\`${condition}\` reads a value the statement at line ${stmt.startPosition.row + 1} declares`,
    );
  if (guardedBy(stmt, condition))
    throw precondition(`line ${stmt.startPosition.row + 1} is already guarded by \`if ${condition}\``);
  const code = await guard(repo, located.fn, condition, message);
  addEdits(applied, located.file, [insertBefore(located.file, stmt, code.code)], code.imports);
}

/** The node of `value` nearest the line, checked to be a pure expression of a type that can be nil. */
export async function nilableAt(
  repo: GoRepo,
  located: OpSite,
  op: { line: number; value: string },
): Promise<GoNode> {
  const node = findExpr(
    located.body,
    op.line,
    ['identifier', 'selector_expression', 'index_expression', 'parenthesized_expression'],
    op.value,
  );
  if (!isPure(node)) throw precondition(`\`${op.value}\` has side effects; it cannot be tested for nil`);
  const type = await typeOfExpression(repo, located.file, located.fn, node);
  if (
    type !== undefined &&
    !/^(\*|map\[|\[\]|chan|<-|func|interface|any$|error$)/.test(
      await underlyingType(repo, dirOf(located.fn.file), type),
    )
  ) {
    throw precondition(`\`${op.value}\` is a ${type}, which cannot be nil`);
  }
  return node;
}

export async function nilGuard(repo: GoRepo, op: OpOf<'nil-guard'>): Promise<Applied> {
  const located = await locate(repo, op);
  const node = await nilableAt(repo, located, op);
  const applied = appliedIn(located.fn, node.startPosition.row + 1);
  await insertGuard(
    repo,
    located,
    node,
    [node],
    `${op.value} == nil`,
    `${shortName(located.fn)}: ${op.value} is nil`,
    applied,
  );
  applied.params = { value: op.value };
  applied.explanation = `Returns early from ${shortName(located.fn)} when \`${op.value}\` is nil instead of dereferencing it.`;
  return applied;
}

export async function boundsCheck(repo: GoRepo, op: OpOf<'bounds-check'>): Promise<Applied> {
  const located = await locate(repo, op);
  const node = findExpr(located.body, op.line, ['index_expression', 'slice_expression'], op.expr);
  const operand = node.childForFieldName('operand');
  if (operand == null || !isPure(operand))
    throw precondition(`the operand of \`${op.expr}\` has side effects`);
  const type = await typeOfExpression(repo, located.file, located.fn, operand);
  const underlying =
    type === undefined ? undefined : await underlyingType(repo, dirOf(located.fn.file), type);
  if (underlying?.startsWith('map['))
    throw precondition(`\`${operand.text}\` is a map; indexing it cannot go out of range`);
  const xs = operand.text;
  const parts: string[] = [];
  const reads = [operand];
  if (node.type === 'index_expression') {
    const index = node.childForFieldName('index');
    if (index == null || !isPure(index)) throw precondition(`the index of \`${op.expr}\` has side effects`);
    reads.push(index);
    parts.push(
      index.type === 'int_literal'
        ? `len(${xs}) <= ${index.text}`
        : `${index.text} < 0 || ${index.text} >= len(${xs})`,
    );
  } else {
    const start = node.childForFieldName('start');
    const end = node.childForFieldName('end');
    for (const bound of [start, end]) {
      if (bound != null && !isPure(bound)) throw precondition(`a bound of \`${op.expr}\` has side effects`);
      if (bound != null) reads.push(bound);
    }
    if (node.childForFieldName('capacity') != null)
      throw precondition('three-index slices are not bounds-checked automatically');
    if (start != null && start.type !== 'int_literal') parts.push(`${start.text} < 0`);
    if (end != null) parts.push(`${end.text} > len(${xs})`);
    if (start != null && end != null) parts.push(`${start.text} > ${end.text}`);
    else if (start != null) parts.push(`${start.text} > len(${xs})`);
  }
  if (parts.length === 0) throw precondition(`\`${op.expr}\` cannot go out of range`);
  const applied = appliedIn(located.fn, node.startPosition.row + 1);
  await insertGuard(
    repo,
    located,
    node,
    reads,
    parts.join(' || '),
    `${shortName(located.fn)}: ${op.expr} out of range`,
    applied,
  );
  applied.params = { expr: op.expr, condition: parts.join(' || ') };
  applied.explanation = `Checks the bounds of \`${op.expr}\` and returns early instead of indexing out of range.`;
  return applied;
}

export async function divisionGuard(repo: GoRepo, op: OpOf<'division-guard'>): Promise<Applied> {
  const located = await locate(repo, op);
  const node = findExpr(
    located.body,
    op.line,
    ['identifier', 'selector_expression', 'index_expression', 'parenthesized_expression', 'call_expression'],
    op.divisor,
  );
  const parent = node.parent;
  const isDivisor =
    (parent?.type === 'binary_expression' &&
      ['/', '%'].includes(parent.childForFieldName('operator')?.text ?? '') &&
      parent.childForFieldName('right')?.id === node.id) ||
    (parent?.type === 'expression_list' &&
      parent.parent?.type === 'assignment_statement' &&
      ['/=', '%='].includes(parent.parent.childForFieldName('operator')?.text ?? ''));
  if (!isDivisor) throw precondition(`\`${op.divisor}\` is not a divisor at line ${op.line}`);
  if (!isPure(node, new Set([...CONVERSIONS, ...located.fn.typeParams])))
    throw precondition(`\`${op.divisor}\` has side effects`);
  const type = await typeOfExpression(repo, located.file, located.fn, node);
  if (
    type !== undefined &&
    /^(float|complex)/.test(await underlyingType(repo, dirOf(located.fn.file), type))
  ) {
    throw precondition(`\`${op.divisor}\` is a ${type}; floating-point division by zero does not panic`);
  }
  const applied = appliedIn(located.fn, node.startPosition.row + 1);
  await insertGuard(
    repo,
    located,
    node,
    [node],
    `${op.divisor} == 0`,
    `${shortName(located.fn)}: division by zero`,
    applied,
  );
  applied.params = { divisor: op.divisor };
  applied.explanation = `Returns early from ${shortName(located.fn)} when the divisor \`${op.divisor}\` is zero instead of dividing by it.`;
  return applied;
}

export async function checkedTypeAssertion(
  repo: GoRepo,
  op: OpOf<'checked-type-assertion'>,
): Promise<Applied> {
  const located = await locate(repo, op);
  const node = findExpr(located.body, op.line, ['type_assertion_expression'], op.expr);
  const operand = node.childForFieldName('operand');
  const type = node.childForFieldName('type')?.text ?? '';
  if (operand == null || !isPure(operand))
    throw precondition(`the operand of \`${op.expr}\` has side effects; it cannot be moved`);
  const stmt = enclosingStatement(node);
  const applied = appliedIn(located.fn, node.startPosition.row + 1);
  const ok = freshName(located.fn.node, 'ok');
  const list = node.parent;
  const decl = list?.parent;
  const sole =
    list?.type === 'expression_list' &&
    list.namedChildren.length === 1 &&
    decl?.childForFieldName('right')?.id === list.id;
  const single =
    sole &&
    decl?.type === 'short_var_declaration' &&
    decl.childForFieldName('left')?.namedChildren.length === 1 &&
    (decl.parent?.type === 'statement_list' || decl.parent?.type === 'block');
  const message = `${shortName(located.fn)}: ${operand.text} is not a ${type}`;
  const check = await guard(repo, located.fn, `!${ok}`, message);
  if (single && decl !== null && decl !== undefined) {
    // `v := x.(T)` becomes `v, ok := x.(T)` followed by the check.
    const left = decl.childForFieldName('left')?.text ?? '_';
    const indent = indentLike(located, decl);
    addEdits(
      applied,
      located.file,
      [
        replaceNode(
          decl,
          `${left}, ${ok} := ${node.text}\n${indent}${check.code.split('\n').join(`\n${indent}`)}`,
        ),
      ],
      check.imports,
    );
  } else {
    const value = freshName(located.fn.node, variableName(type));
    addEdits(
      applied,
      located.file,
      [
        insertBefore(located.file, stmt, `${value}, ${ok} := ${node.text}\n${check.code}`),
        replaceNode(node, value),
      ],
      check.imports,
    );
  }
  applied.params = { expr: op.expr, type };
  applied.explanation = `Uses the checked form of \`${op.expr}\` and returns early when the value is not a ${type}, instead of panicking.`;
  return applied;
}

function indentLike(located: OpSite, node: GoNode): string {
  const line = located.file.source.slice(
    located.file.lineStarts[node.startPosition.row] ?? 0,
    node.startIndex,
  );
  return /^[\t ]*/.exec(line)?.[0] ?? '';
}

/** `*pkg.Order` → `order`; builtin and odd names → `value`. */
function variableName(type: string): string {
  const base = type
    .replace(/^[*[\]\s]+/, '')
    .replace(/^.*\./, '')
    .replace(/\[.*$/, '');
  if (!/^[A-Za-z]\w*$/.test(base) || /^(string|int|bool|error|any|byte|rune|float64|int64)$/.test(base))
    return 'value';
  return base.charAt(0).toLowerCase() + base.slice(1);
}
