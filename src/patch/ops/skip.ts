/**
 * skip-if-nil: when a value is nil, skip only what reads through it and let the function carry on
 * (a card without the optional profile fields) instead of giving up: fields of a keyed composite
 * literal move into `if v != nil { x.F = v.G }` after the literal, and plain statements that read
 * through it are wrapped in the same check.
 */
import { descendantsOfType, type GoNode, type GoRepo, indentOf } from '../../lang/go/index.js';
import { indentBlock, insertBefore, replaceNode } from '../go/edit.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  enclosingStatement,
  freshName,
  isPure,
  locate,
  precondition,
  sameExpr,
  shortName,
} from './common.js';
import { nilableAt } from './guards.js';
import type { OpOf } from './schema.js';

type Op = OpOf<'skip-if-nil'>;

/** Nodes that dereference `value`: `value.f`, `value.m()`, `*value`, `value()`. */
function derefs(scope: GoNode, value: string): GoNode[] {
  const out: GoNode[] = [];
  for (const n of descendantsOfType(scope, ['selector_expression', 'unary_expression', 'call_expression'])) {
    const target =
      n.type === 'selector_expression'
        ? n.childForFieldName('operand')
        : n.type === 'call_expression'
          ? n.childForFieldName('function')
          : n.children[0]?.type === '*'
            ? n.childForFieldName('operand')
            : null;
    if (target != null && sameExpr(target.text, value)) out.push(n);
  }
  return out;
}

/** Statements a nil check can skip without changing what the rest of the function sees declared. */
const SKIPPABLE = new Set([
  'expression_statement',
  'assignment_statement',
  'inc_statement',
  'dec_statement',
  'send_statement',
  'if_statement',
]);

function within(node: GoNode, outer: GoNode): boolean {
  return outer.startIndex <= node.startIndex && node.endIndex <= outer.endIndex;
}

export async function skipIfNil(repo: GoRepo, op: Op): Promise<Applied> {
  const located = await locate(repo, op);
  const node = await nilableAt(repo, located, op);
  const stmt = enclosingStatement(node);
  const reads = derefs(stmt, op.value);
  if (reads.length === 0)
    throw precondition(`the statement at line ${op.line} does not read through \`${op.value}\``);
  const check = `${op.value} != nil`;
  // Skipping is only a fix when nothing after the skipped part reads through the value again.
  const laterRead = (end: number) => derefs(located.body, op.value).find((r) => r.startIndex >= end);
  const file = located.file;
  const applied = appliedIn(located.fn, stmt.startPosition.row + 1);
  const literal = literalHolding(stmt, reads);
  if (literal !== undefined) {
    const { lit, fields, kept } = literal;
    const outer =
      lit.parent?.type === 'unary_expression' && lit.parent.children[0]?.type === '&' ? lit.parent : lit;
    // The literal is now built before the statement: nothing the statement evaluates before it may have effects.
    const earlier = descendantsOfType(stmt, 'call_expression').filter(
      (c) => c.endIndex <= outer.startIndex && !within(outer, c),
    );
    if (earlier.length > 0)
      throw precondition(
        `line ${stmt.startPosition.row + 1} calls ${earlier[0]?.text} before building the literal`,
      );
    const again = laterRead(stmt.endIndex);
    if (again !== undefined)
      throw precondition(`\`${op.value}\` is read through again at line ${again.startPosition.row + 1}`);
    const type = lit.childForFieldName('type')?.text ?? '';
    // The method's own name does not clash with a local (`card := Card{}` inside `func (h) card`).
    const taken = [
      located.fn.receiver?.name,
      ...located.fn.params.map((p) => p.name),
      ...located.fn.results.map((p) => p.name),
    ];
    let name = freshName(located.body, variableName(type));
    for (let i = 2; taken.includes(name); i++) name = freshName(located.body, `${variableName(type)}${i}`);
    const multiline = lit.startPosition.row !== lit.endPosition.row;
    const body = multiline
      ? `{\n${kept.map((k) => `\t${k.text},`).join('\n')}\n}`
      : `{${kept.map((k) => k.text).join(', ')}}`;
    const assign = fields.map((f) => `\t${name}.${f.key} = ${f.value}`).join('\n');
    const code = `${name} := ${outer === lit ? '' : '&'}${type}${body}\nif ${check} {\n${assign}\n}`;
    addEdits(applied, file, [insertBefore(file, stmt, code), replaceNode(outer, name)]);
    applied.params = { value: op.value, skipped: fields.map((f) => f.key).join(','), variable: name };
    applied.explanation = `When \`${op.value}\` is nil, ${shortName(located.fn)} now leaves ${fields.map((f) => `${type}.${f.key}`).join(' and ')} empty and carries on, instead of dereferencing it.`;
    return applied;
  }
  // Plain statements: the one at the site and the ones right after it that also read through the value.
  const list = stmt.parent;
  const siblings = (list?.namedChildren ?? []).filter((n) => n.type !== 'comment');
  const start = siblings.findIndex((s) => s.id === stmt.id);
  const group: GoNode[] = [];
  for (const s of siblings.slice(start)) {
    if (!SKIPPABLE.has(s.type) || derefs(s, op.value).length === 0) break;
    if (s.type === 'assignment_statement' && s.childForFieldName('operator')?.text === ':=') break;
    group.push(s);
  }
  const first = group[0];
  const last = group[group.length - 1];
  if (first === undefined || last === undefined || first.id !== stmt.id)
    throw precondition(
      `${shortName(located.fn)} cannot carry on without \`${op.value}\` at line ${stmt.startPosition.row + 1} (${stmt.type.replace(/_/g, ' ')})`,
    );
  if (!isPure(node)) throw precondition(`\`${op.value}\` has side effects`);
  const again = laterRead(last.endIndex);
  if (again !== undefined)
    throw precondition(`\`${op.value}\` is read through again at line ${again.startPosition.row + 1}`);
  const indent = indentOf(file, first);
  const inner = file.source.slice(first.startIndex, last.endIndex);
  const text = `if ${check} {\n${indentBlock(inner.replace(new RegExp(`\n${indent}`, 'g'), '\n'), '\t')}\n}`;
  addEdits(applied, file, [
    { start: first.startIndex, end: last.endIndex, text: text.split('\n').join(`\n${indent}`) },
  ]);
  applied.params = { value: op.value, statements: String(group.length) };
  applied.explanation = `When \`${op.value}\` is nil, ${shortName(located.fn)} now skips the ${group.length === 1 ? 'statement' : `${group.length} statements`} that read through it and carries on, instead of dereferencing it.`;
  return applied;
}

interface LiteralSplit {
  lit: GoNode;
  /** Keyed fields whose values read through the nil value, as `key = value` pairs. */
  fields: { key: string; value: string }[];
  /** The other elements, kept in the literal. */
  kept: GoNode[];
}

/** The keyed composite literal of a named type whose fields hold every read, when there is one. */
function literalHolding(stmt: GoNode, reads: GoNode[]): LiteralSplit | undefined {
  for (const lit of descendantsOfType(stmt, 'composite_literal')) {
    const type = lit.childForFieldName('type');
    if (type == null || !/^(type_identifier|qualified_type|generic_type)$/.test(type.type)) continue;
    const elements = (lit.childForFieldName('body')?.namedChildren ?? []).filter((n) => n.type !== 'comment');
    if (elements.length === 0 || elements.some((e) => e.type !== 'keyed_element')) continue;
    const fields: LiteralSplit['fields'] = [];
    const kept: GoNode[] = [];
    for (const e of elements) {
      const [key, value] = e.namedChildren;
      if (key === undefined || value === undefined) return undefined;
      if (!reads.some((r) => within(r, value))) {
        kept.push(e);
        continue;
      }
      // Only a plain read moves: it is evaluated later than before, which is harmless only without effects.
      if (!isPure(value.namedChildren[0] ?? value)) return undefined;
      fields.push({ key: key.text, value: value.text });
    }
    const covered = reads.every((r) => elements.some((e) => within(r, e)));
    if (fields.length > 0 && covered) return { lit, fields, kept };
  }
  return undefined;
}

/** `Card` → `card`, `pkg.Card` → `card`. */
function variableName(type: string): string {
  const base = type.replace(/\[.*$/, '').replace(/^.*\./, '');
  const name = base.charAt(0).toLowerCase() + base.slice(1);
  return /^[a-z]\w*$/.test(name) &&
    !/^(type|func|var|map|chan|go|if|for|range|select|case|default|return|struct|interface|package|import|const|defer|switch|else)$/.test(
      name,
    )
    ? name
    : 'value';
}
