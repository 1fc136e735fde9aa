/**
 * release-on-all-paths: a function acquires something (`h := reg.Open(...)`) and releases it later
 * (`reg.Release(h.ID)`), but an early return in between skips the release, so every such path
 * leaves the acquisition (and whatever it holds on to) behind: a heap or goroutine leak. The
 * release moves to a defer right after the acquisition, so it runs on every path.
 */
import { descendantsOfType, type GoNode, type GoRepo } from '../../lang/go/index.js';
import { deleteStatementLine, insertBefore } from '../go/edit.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  drift,
  isPure,
  locate,
  MAX_DRIFT,
  nearestTo,
  precondition,
  sameExpr,
  shortName,
} from './common.js';
import type { OpOf } from './schema.js';

type Op = OpOf<'release-on-all-paths'>;

/** Method names that end what an earlier call on the same value began. */
export const RELEASE =
  /^(Release|Close|Done|Remove|Delete|Unregister|Deregister|Free|Put|Forget|Cancel|Stop|End|Finish|Drop|Evict|Dispose|Discard|Untrack|Unsubscribe|Leave)[A-Z0-9_]?\w*$/;

/** The `recv.Method(args)` call of an expression statement, when it is one. */
export function releaseCall(stmt: GoNode): { call: GoNode; owner: GoNode; method: string } | undefined {
  if (stmt.type !== 'expression_statement') return undefined;
  const call = stmt.namedChildren[0];
  const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : undefined;
  const owner = callee?.type === 'selector_expression' ? callee.childForFieldName('operand') : undefined;
  const method = callee?.childForFieldName('field')?.text;
  if (call == null || owner == null || method === undefined || !RELEASE.test(method)) return undefined;
  return { call, owner, method };
}

function identifiers(node: GoNode): Set<string> {
  return new Set(descendantsOfType(node, 'identifier').map((n) => n.text));
}

/** Names a statement declares or assigns. */
function assigned(stmt: GoNode): string[] {
  if (stmt.type !== 'short_var_declaration' && stmt.type !== 'assignment_statement') return [];
  return stmt.childForFieldName('left')?.namedChildren.map((n) => n.text) ?? [];
}

/** The acquisition the release undoes: the nearest earlier statement in the block calling a method on the same owner and declaring a value the release reads. */
export function acquisitionFor(
  siblings: GoNode[],
  index: number,
  owner: GoNode,
  reads: Set<string>,
): { stmt: GoNode; index: number; name: string } | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const stmt = siblings[i] as GoNode;
    if (stmt.type !== 'short_var_declaration' && stmt.type !== 'assignment_statement') continue;
    const right = stmt.childForFieldName('right')?.namedChildren[0];
    const callee = right?.type === 'call_expression' ? right.childForFieldName('function') : undefined;
    if (callee?.type !== 'selector_expression') continue;
    if (!sameExpr(callee.childForFieldName('operand')?.text ?? '', owner.text)) continue;
    const name = assigned(stmt).find((n) => reads.has(n));
    if (name !== undefined) return { stmt, index: i, name };
  }
  return undefined;
}

export async function releaseOnAllPaths(repo: GoRepo, op: Op): Promise<Applied> {
  const located = await locate(repo, op);
  const body = located.body;
  const candidates = descendantsOfType(body, 'expression_statement').filter(
    (s) => sameExpr(s.text, op.release) && releaseCall(s) !== undefined,
  );
  const stmt = nearestTo(candidates, op.line);
  if (stmt === undefined)
    throw precondition(`\`${op.release}\` is not a release call statement of ${shortName(located.fn)}`);
  if (drift(stmt, op.line) > MAX_DRIFT)
    throw precondition(`\`${op.release}\` is more than ${MAX_DRIFT} lines from line ${op.line}`);
  const release = releaseCall(stmt) as NonNullable<ReturnType<typeof releaseCall>>;
  if (!isPure(release.owner)) throw precondition(`\`${release.owner.text}\` has side effects`);
  const list = stmt.parent;
  if (list?.type !== 'statement_list' && list?.type !== 'block')
    throw precondition(`\`${op.release}\` is not a statement of a block`);
  // A defer inside a loop runs at function exit, not per iteration: the acquisitions would pile up.
  for (let up: GoNode | null = list; up !== null && up.id !== body.id; up = up.parent) {
    if (up.type === 'for_statement') throw precondition(`\`${op.release}\` is inside a loop`);
    if (up.type === 'func_literal') throw precondition(`\`${op.release}\` is inside a closure`);
  }
  const siblings = list.namedChildren.filter((n) => n.type !== 'comment');
  const index = siblings.findIndex((s) => s.id === stmt.id);
  const args = release.call.childForFieldName('arguments');
  const reads = args == null ? new Set<string>() : identifiers(args);
  const acquire = acquisitionFor(siblings, index, release.owner, reads);
  if (acquire === undefined)
    throw precondition(
      `nothing before \`${op.release}\` acquires from \`${release.owner.text}\` what it releases`,
    );
  // Between the two, the values the release reads must keep the values they had at the acquisition.
  for (const s of siblings.slice(acquire.index + 1, index)) {
    for (const node of descendantsOfType(s, ['short_var_declaration', 'assignment_statement'])) {
      const changed = assigned(node).filter((n) => reads.has(n));
      // A `:=` in a nested block declares a new variable; at this level it may assign the old one.
      if (changed.length > 0 && (node.type !== 'short_var_declaration' || node.id === s.id))
        throw precondition(`\`${changed[0]}\` changes between the acquisition and \`${op.release}\``);
    }
  }
  const between = siblings.slice(acquire.index + 1, index);
  const leaks = between.flatMap((s) =>
    descendantsOfType(s, 'return_statement').filter((r) => !insideClosure(r, s)),
  );
  if (leaks.length === 0)
    throw precondition(`no return between the acquisition and \`${op.release}\` skips it`);
  // An acquisition that can fail is only held past its error check.
  let anchor = acquire.index;
  const next = siblings[anchor + 1];
  const errName = assigned(acquire.stmt).find((n) => n === 'err' || n.endsWith('Err'));
  if (
    errName !== undefined &&
    next?.type === 'if_statement' &&
    /^\s*\w+\s*!=\s*nil\s*$/.test(next.childForFieldName('condition')?.text ?? '') &&
    (next.childForFieldName('condition')?.text ?? '').includes(errName)
  )
    anchor++;
  const before = siblings[anchor + 1];
  if (before === undefined) throw precondition('no statement follows the acquisition');
  const skipped = leaks.filter((r) => r.startIndex > (siblings[anchor] as GoNode).endIndex);
  if (skipped.length === 0)
    throw precondition(`only the acquisition's own error check returns before \`${op.release}\``);
  const file = located.file;
  const applied = appliedIn(located.fn, stmt.startPosition.row + 1);
  addEdits(applied, file, [
    insertBefore(file, before, `defer ${release.call.text}`),
    deleteStatementLine(file, stmt),
  ]);
  const returnLines = skipped.map((r) => r.startPosition.row + 1);
  applied.params = {
    release: release.call.text,
    acquire: acquire.stmt.text.split('\n')[0] ?? '',
    acquiredAt: String(acquire.stmt.startPosition.row + 1),
    skippedBy: returnLines.join(','),
  };
  applied.explanation =
    `${shortName(located.fn)} acquires \`${acquire.name}\` from \`${release.owner.text}\` at line ${acquire.stmt.startPosition.row + 1}, ` +
    `but the return${returnLines.length === 1 ? '' : 's'} at line ${returnLines.join(', ')} skip${returnLines.length === 1 ? 's' : ''} ` +
    `\`${release.call.text}\`, so each such call leaves it (and all it references) behind. ` +
    `The release now runs in a defer right after the acquisition, on every return path.`;
  return applied;
}

function insideClosure(node: GoNode, top: GoNode): boolean {
  for (let up = node.parent; up !== null && up.id !== top.id; up = up.parent)
    if (up.type === 'func_literal') return true;
  return false;
}
