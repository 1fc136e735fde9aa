/** What every operation shares: finding its site again on the tree, checking expressions, collecting edits. */
import { PatchError } from '../../core/errors.js';
import {
  type GoFile,
  type GoNode,
  type GoRepo,
  type Located,
  locateFunction,
  nearestNode,
} from '../../lang/go/index.js';
import type { TextEdit } from '../go/edit.js';

/** The result of applying one operation: edits per file, and the sentence for the pull request. */
export interface Applied {
  edits: Map<string, TextEdit[]>;
  /** Import paths each edited file needs (added once, after the edits, by the candidate builder). */
  imports: Map<string, Set<string>>;
  explanation: string;
  /** Runtime name of the function the operation changed (the main one). */
  function?: string;
  line?: number;
  /** Operation-specific values recorded in the Patch (all strings). */
  params: Record<string, string>;
}

/** An empty result for an operation acting in `fn` at `line`. */
export function appliedIn(fn: { qualifiedName: string } | undefined, line: number): Applied {
  return {
    edits: new Map(),
    imports: new Map(),
    explanation: '',
    ...(fn === undefined ? {} : { function: fn.qualifiedName }),
    line,
    params: {},
  };
}

export function precondition(message: string): PatchError {
  return new PatchError('MEDIC_ERR_PATCH_PRECONDITION', message);
}

/** A located function that has a body (what every operation edits). */
export interface OpSite extends Located {
  body: GoNode;
}

/** The function an operation names; MEDIC_ERR_PATCH_PRECONDITION when it is not in the repository. */
export async function locate(
  repo: GoRepo,
  site: { file: string; line: number; function?: string | undefined },
): Promise<OpSite> {
  const query = {
    file: site.file,
    line: site.line,
    ...(site.function === undefined ? {} : { function: site.function }),
  };
  const found = await locateFunction(repo, query);
  const body = found?.fn.body;
  if (found === undefined || body == null) {
    throw precondition(`no function ${site.function ?? ''} at ${site.file}:${site.line}`);
  }
  return { ...found, body };
}

/** Go source text compared without whitespace (`a . b` and `a.b` name the same thing). */
export function sameExpr(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}

/**
 * Expressions a guard may evaluate twice without changing behaviour: names, field selections,
 * literals, and indexing/arithmetic over those. Calls, receives and conversions are out.
 */
/** Builtin types whose conversions `T(x)` are as pure as `x`. */
export const CONVERSIONS: ReadonlySet<string> = new Set([
  'int',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'uintptr',
  'float32',
  'float64',
  'byte',
  'rune',
  'string',
]);

export function isPure(node: GoNode, types: ReadonlySet<string> = CONVERSIONS): boolean {
  switch (node.type) {
    case 'identifier':
    case 'field_identifier':
    case 'int_literal':
    case 'float_literal':
    case 'interpreted_string_literal':
    case 'raw_string_literal':
    case 'rune_literal':
    case 'true':
    case 'false':
    case 'nil':
    case 'iota':
      return true;
    case 'selector_expression':
    case 'index_expression':
    case 'parenthesized_expression':
    case 'binary_expression':
      return node.namedChildren.every((c) => isPure(c, types));
    case 'unary_expression':
      return node.children[0]?.type !== '<-' && node.namedChildren.every((c) => isPure(c, types));
    case 'call_expression': {
      // len and cap of pure values are pure, and so are conversions to the given types (`T(len(xs))`).
      const callee = node.childForFieldName('function')?.text ?? '';
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      return (
        (callee === 'len' || callee === 'cap' || (types.has(callee) && args.length === 1)) &&
        args.every((c) => isPure(c, types))
      );
    }
    default:
      return false;
  }
}

/** How far (in lines) a site may have moved since the evidence was recorded. */
export const MAX_DRIFT = 40;

/** Lines between where `node` starts and `line`. */
export function drift(node: GoNode, line: number): number {
  return Math.abs(node.startPosition.row + 1 - line);
}

/** Of `nodes`, the one starting nearest to `line` (the earliest on a tie); undefined when there are none. */
export function nearestTo(nodes: readonly GoNode[], line: number): GoNode | undefined {
  let best: GoNode | undefined;
  for (const n of nodes) if (best === undefined || drift(n, line) < drift(best, line)) best = n;
  return best;
}

/** The node passing `test` nearest to `line` in `scope`, within MAX_DRIFT lines; else PRECONDITION `missing`. */
export function nearSite(scope: GoNode, line: number, test: (n: GoNode) => boolean, missing: string): GoNode {
  const found = nearestNode(scope, line, test);
  if (found === undefined || found.distance > MAX_DRIFT) throw precondition(missing);
  return found.node;
}

/**
 * The node of one of `types` whose text is `expr`, nearest to `line` inside `scope`; closer than
 * `maxDrift` lines, so a stale line number cannot send an edit somewhere unrelated.
 */
export function findExpr(
  scope: GoNode,
  line: number,
  types: readonly string[],
  expr: string,
  maxDrift = MAX_DRIFT,
): GoNode {
  const found = nearestNode(scope, line, (n) => types.includes(n.type) && sameExpr(n.text, expr));
  if (found === undefined) throw precondition(`\`${expr}\` does not appear in the function`);
  if (found.distance > maxDrift)
    throw precondition(`\`${expr}\` is ${found.distance} lines from line ${line}`);
  return found.node;
}

/**
 * The statement that holds `node`, where a new statement can go just before it. Fails for nodes in
 * a loop header (a guard before the loop would run once, not per iteration).
 */
export function enclosingStatement(node: GoNode): GoNode {
  let current = node;
  for (let parent = node.parent; parent !== null; current = parent, parent = parent.parent) {
    if (parent.type === 'statement_list' || parent.type === 'block') return current;
    if (parent.type === 'for_clause' || parent.type === 'range_clause')
      throw precondition(`line ${node.startPosition.row + 1} is in a loop header`);
    if (parent.type === 'for_statement' && parent.childForFieldName('body')?.id !== current.id) {
      throw precondition(`line ${node.startPosition.row + 1} is in a loop condition`);
    }
    if (parent.type === 'if_statement' && parent.childForFieldName('alternative')?.id === current.id) {
      throw precondition(`line ${node.startPosition.row + 1} is in an else-if condition`);
    }
    if (
      parent.type === 'expression_case' ||
      parent.type === 'communication_case' ||
      parent.type === 'type_case' ||
      parent.type === 'default_case'
    ) {
      if (current.type !== 'statement_list')
        throw precondition(`line ${node.startPosition.row + 1} is in a case label`);
    }
    if (parent.type === 'func_literal') break;
  }
  throw precondition(`no statement holds line ${node.startPosition.row + 1}`);
}

/** Adds edits for one file, plus the imports those edits need. */
export function addEdits(
  into: Pick<Applied, 'edits' | 'imports'>,
  file: GoFile,
  edits: readonly TextEdit[],
  imports: readonly string[] = [],
): void {
  into.edits.set(file.path, [...(into.edits.get(file.path) ?? []), ...edits]);
  const needed = into.imports.get(file.path) ?? new Set<string>();
  for (const path of imports) needed.add(path);
  into.imports.set(file.path, needed);
}

/** A fresh identifier not used anywhere in `scope`: `base`, `base2`, ... */
export function freshName(scope: GoNode, base: string): string {
  const used = new Set<string>();
  const collect = (n: GoNode): void => {
    if (n.type === 'identifier' || n.type === 'field_identifier') used.add(n.text);
    for (const c of n.namedChildren) collect(c);
  };
  collect(scope);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/** The short name used in messages: `(*Ledger).Reserve` → `Reserve`. */
export function shortName(fn: { name: string; kind: string; symbol: string }): string {
  return fn.kind === 'closure' ? fn.symbol : fn.name;
}
