/** What the code at the blamed line holds: the maps it writes, values it dereferences, channels it closes or waits on, fields it shares. */
import type { Diagnosis, Evidence } from '../core/model.js';
import {
  descendantsOfType,
  type GoNode,
  type GoRepo,
  type Located,
  typeOfExpression,
} from '../lang/go/index.js';
import { isPure, sameExpr } from './ops/common.js';
import { acquisitionFor, releaseCall } from './ops/release.js';
import type { Operation } from './ops/schema.js';

export interface PlanContext {
  repo: GoRepo;
  diagnosis: Diagnosis;
  evidence: Evidence;
  blamed: Located;
}

/** Nodes on the blamed line (or the nearest lines holding such nodes, for drift). */
export function onLine(ctx: PlanContext, test: (n: GoNode) => boolean): GoNode[] {
  const body = ctx.blamed.fn.body;
  if (body === null) return [];
  const line = ctx.diagnosis.location.line;
  const all: GoNode[] = [];
  const visit = (n: GoNode): void => {
    if (test(n)) all.push(n);
    for (const c of n.namedChildren) visit(c);
  };
  visit(body);
  const distance = (n: GoNode): number =>
    Math.max(0, n.startPosition.row + 1 - line, line - (n.endPosition.row + 1));
  const best = Math.min(...all.map(distance));
  return all.filter((n) => distance(n) === best && best <= 40);
}

export function unique(texts: string[]): string[] {
  const out: string[] = [];
  for (const t of texts) if (!out.some((o) => sameExpr(o, t))) out.push(t);
  return out;
}

export function site(ctx: PlanContext): { file: string; line: number; function: string } {
  return {
    file: ctx.blamed.fn.file,
    line: ctx.diagnosis.location.line,
    function: ctx.blamed.fn.qualifiedName,
  };
}

export const isMapWrite = (n: GoNode): boolean =>
  n.type === 'index_expression' &&
  (n.parent?.type === 'inc_statement' ||
    n.parent?.type === 'dec_statement' ||
    (n.parent?.type === 'expression_list' &&
      n.parent.parent?.type === 'assignment_statement' &&
      n.parent.parent.childForFieldName('left')?.id === n.parent.id));

export async function nilCandidates(ctx: PlanContext): Promise<string[]> {
  const { repo, blamed } = ctx;
  const operands = onLine(
    ctx,
    (n) =>
      n.type === 'selector_expression' ||
      (n.type === 'unary_expression' && n.children[0]?.type === '*') ||
      n.type === 'call_expression',
  )
    .map((n) =>
      n.type === 'call_expression'
        ? n.childForFieldName('function')?.childForFieldName('operand')
        : n.type === 'selector_expression'
          ? n.childForFieldName('operand')
          : n.namedChildren[0],
    )
    .filter((n): n is GoNode => n != null && isPure(n));
  const scored: { text: string; score: number }[] = [];
  for (const op of operands) {
    const type = await typeOfExpression(repo, blamed.file, blamed.fn, op);
    // Package names (`fmt.X`) have no declaration; values of non-pointer struct types cannot be nil.
    if (type === undefined && op.type === 'identifier' && !(await isDeclared(ctx, op))) continue;
    const nilable =
      type === undefined ? 1 : /^(\*|map\[|\[\]|chan|func|interface|any$|error$)/.test(type) ? 2 : 0;
    if (nilable > 0) scored.push({ text: op.text, score: nilable });
  }
  return unique(scored.sort((a, b) => b.score - a.score).map((s) => s.text));
}

async function isDeclared(ctx: PlanContext, id: GoNode): Promise<boolean> {
  const imports = descendantsOfType(ctx.blamed.file.root, 'import_spec').map(
    (s) =>
      s.childForFieldName('name')?.text ?? s.childForFieldName('path')?.text.slice(1, -1).split('/').pop(),
  );
  return !imports.includes(id.text);
}

export function closeArgs(ctx: PlanContext): string[] {
  return unique(
    onLine(ctx, (n) => n.type === 'call_expression' && n.childForFieldName('function')?.text === 'close').map(
      (n) => n.childForFieldName('arguments')?.namedChildren[0]?.text ?? '',
    ),
  ).filter((t) => t !== '');
}

export function sendChannels(ctx: PlanContext): string[] {
  return unique(
    onLine(ctx, (n) => n.type === 'send_statement').map((n) => n.childForFieldName('channel')?.text ?? ''),
  ).filter((t) => t !== '');
}

export function receiveChannels(ctx: PlanContext): string[] {
  return unique(
    onLine(ctx, (n) => n.type === 'unary_expression' && n.children[0]?.type === '<-').map(
      (n) => n.childForFieldName('operand')?.text ?? '',
    ),
  ).filter((t) => t !== '');
}

/** The bottom application frame of the crashing goroutine: where a recover can catch the panic. */
export function goroutineEntry(
  ctx: PlanContext,
): { file: string; line: number; function: string } | undefined {
  const failure = ctx.evidence.failure;
  const g = failure?.goroutines.find((x) => x.id === failure.crashedGoroutineId);
  if (g?.createdBy === undefined) return undefined;
  const app = g.frames.filter((f) => f.repoFile !== undefined && f.kind === 'application');
  const bottom = app[app.length - 1];
  return bottom?.repoFile === undefined
    ? undefined
    : { file: bottom.repoFile, line: bottom.line, function: bottom.function };
}

/** One add-mutex per struct type whose fields the blamed line (and the other racing access) touch. */
export async function mutexPlans(ctx: PlanContext): Promise<Operation[][]> {
  const { repo, blamed } = ctx;
  const byType = new Map<string, Set<string>>();
  for (const sel of onLine(ctx, (n) => n.type === 'selector_expression')) {
    const operand = sel.childForFieldName('operand');
    const field = sel.childForFieldName('field')?.text;
    if (operand == null || field === undefined) continue;
    const type = await typeOfExpression(repo, blamed.file, blamed.fn, operand);
    if (type === undefined) continue;
    const fieldType = await typeOfExpression(repo, blamed.file, blamed.fn, sel);
    if (fieldType === undefined) continue;
    const name = type.replace(/^\*/, '').replace(/\[.*\]$/s, '');
    byType.set(name, (byType.get(name) ?? new Set()).add(field));
  }
  // Fields the blamed method writes are shared state too (the counter next to the map, say).
  const recv = blamed.fn.receiver;
  const own = recv === undefined ? undefined : byType.get(recv.type);
  if (recv !== undefined && own !== undefined && blamed.fn.body !== null) {
    for (const left of descendantsOfType(blamed.fn.body, [
      'assignment_statement',
      'inc_statement',
      'dec_statement',
    ])) {
      const target =
        left.type === 'assignment_statement'
          ? (left.childForFieldName('left')?.namedChildren ?? [])
          : left.namedChildren;
      for (const t of target) {
        const base = t.type === 'index_expression' ? t.childForFieldName('operand') : t;
        if (base?.type === 'selector_expression' && base.childForFieldName('operand')?.text === recv.name)
          own.add(base.childForFieldName('field')?.text ?? '');
      }
    }
    own.delete('');
  }
  return [...byType].map(([type, fields]) => [{ op: 'add-mutex', ...site(ctx), type, fields: [...fields] }]);
}

/** Release statements of the blamed function that follow an acquisition on the same value, nearest the line first. */
export function releaseStatements(ctx: PlanContext): GoNode[] {
  const body = ctx.blamed.fn.body;
  if (body === null) return [];
  const out: GoNode[] = [];
  for (const stmt of descendantsOfType(body, 'expression_statement')) {
    const release = releaseCall(stmt);
    const siblings = (stmt.parent?.namedChildren ?? []).filter((n) => n.type !== 'comment');
    const args = release?.call.childForFieldName('arguments');
    if (release === undefined || args == null) continue;
    const reads = new Set(descendantsOfType(args, 'identifier').map((n) => n.text));
    const index = siblings.findIndex((s) => s.id === stmt.id);
    if (acquisitionFor(siblings, index, release.owner, reads) !== undefined) out.push(stmt);
  }
  const line = ctx.diagnosis.location.line;
  return out.sort(
    (a, b) => Math.abs(a.startPosition.row + 1 - line) - Math.abs(b.startPosition.row + 1 - line),
  );
}
