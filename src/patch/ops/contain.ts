/** Containment: recover-and-log at a goroutine's entry (last resort), and a cap on a collection that only grows. */
import { descendantsOfType, type GoNode, type GoRepo } from '../../lang/go/index.js';
import { insertAtBlockStart, insertBefore } from '../go/edit.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  enclosingStatement,
  freshName,
  isPure,
  locate,
  nearSite,
  precondition,
  sameExpr,
  shortName,
} from './common.js';
import type { OpOf } from './schema.js';

export async function recoverAndLog(repo: GoRepo, op: OpOf<'recover-and-log'>): Promise<Applied> {
  const located = await locate(repo, op);
  const body = located.body;
  if (/\brecover\(\)/.test(body.text)) throw precondition(`${shortName(located.fn)} already recovers`);
  const code = [
    'defer func() {',
    '\tif r := recover(); r != nil {',
    `\t\tlog.Printf("recovered panic in ${located.fn.symbol.replace(/["\\%]/g, '')}: %v\\n%s", r, debug.Stack())`,
    '\t}',
    '}()',
  ].join('\n');
  const applied = appliedIn(located.fn, located.fn.startLine);
  addEdits(applied, located.file, [insertAtBlockStart(located.file, body, code)], ['log', 'runtime/debug']);
  applied.params = { entry: located.fn.symbol };
  applied.explanation = `Last resort: recovers and logs any panic at the top of ${located.fn.symbol}, the goroutine's entry, so one bad input no longer kills the process; the underlying bug remains.`;
  return applied;
}

/** `maxCacheEntries` from `s.cache`. */
function limitName(collection: string): string {
  const tail = collection.replace(/.*\./, '').replace(/\W/g, '');
  const name = `max${tail.charAt(0).toUpperCase()}${tail.slice(1)}`;
  return tail.endsWith('s') ? name : `${name}Entries`;
}

export async function boundGrowth(repo: GoRepo, op: OpOf<'bound-growth'>): Promise<Applied> {
  const located = await locate(repo, op);
  const body = located.body;
  const isGrowth = (n: GoNode): boolean => {
    if (n.type === 'index_expression') {
      const list = n.parent;
      return (
        sameExpr(n.childForFieldName('operand')?.text ?? '', op.collection) &&
        list?.type === 'expression_list' &&
        list.parent?.type === 'assignment_statement' &&
        list.parent.childForFieldName('left')?.id === list.id
      );
    }
    return (
      n.type === 'call_expression' &&
      n.childForFieldName('function')?.text === 'append' &&
      sameExpr(n.childForFieldName('arguments')?.namedChildren[0]?.text ?? '', op.collection)
    );
  };
  const node = nearSite(body, op.line, isGrowth, `\`${op.collection}\` does not grow near line ${op.line}`);
  const collection =
    node.type === 'index_expression'
      ? node.childForFieldName('operand')
      : node.childForFieldName('arguments')?.namedChildren[0];
  if (collection == null || !isPure(collection)) throw precondition(`\`${op.collection}\` has side effects`);
  const stmt = enclosingStatement(node);
  const c = collection.text;
  const limit = limitName(c);
  const file = located.file;
  if (descendantsOfType(file.root, 'const_spec').some((s) => s.childForFieldName('name')?.text === limit))
    throw precondition(`${limit} already exists`);
  let code: string;
  if (node.type === 'index_expression') {
    const key = node.childForFieldName('index');
    if (key == null || !isPure(key)) throw precondition('the key has side effects');
    // Evict one arbitrary entry before inserting a new key past the cap: memory stays bounded.
    const old = freshName(located.fn.node, 'old');
    const ok = freshName(located.fn.node, 'ok');
    code = `if _, ${ok} := ${c}[${key.text}]; !${ok} && len(${c}) >= ${limit} {\n\tfor ${old} := range ${c} {\n\t\tdelete(${c}, ${old})\n\t\tbreak\n\t}\n}`;
  } else {
    const assign = node.parent?.parent;
    if (assign?.type !== 'assignment_statement' || !sameExpr(assign.childForFieldName('left')?.text ?? '', c))
      throw precondition(`the append is not \`${c} = append(${c}, ...)\``);
    // Keep the newest entries, reusing the backing array.
    code = `if len(${c}) >= ${limit} {\n\t${c} = append(${c}[:0], ${c}[len(${c})-${limit}+1:]...)\n}`;
  }
  const decl = located.fn.kind === 'closure' ? undefined : located.fn.node;
  const topDecl =
    decl ??
    file.root.namedChildren.find(
      (n) => n.startIndex <= located.fn.node.startIndex && located.fn.node.endIndex <= n.endIndex,
    );
  if (topDecl === undefined) throw precondition('cannot place the limit constant');
  const applied = appliedIn(located.fn, stmt.startPosition.row + 1);
  const docStart = precedingComments(file.source, topDecl, file.lineStarts);
  addEdits(applied, file, [
    {
      start: docStart,
      end: docStart,
      text: `// ${limit} caps ${c}, which otherwise grows without bound.\nconst ${limit} = ${op.limit}\n\n`,
    },
    insertBefore(file, stmt, code),
  ]);
  applied.params = { collection: c, limit: String(op.limit), constant: limit };
  applied.explanation = `Caps \`${c}\` at ${op.limit} entries (${limit}), evicting before it grows further, so memory stays bounded.`;
  return applied;
}

/** Where a top-level declaration's doc comment starts (the declaration itself when it has none). */
function precedingComments(source: string, decl: GoNode, lineStarts: readonly number[]): number {
  let row = decl.startPosition.row;
  while (row > 0) {
    const from = lineStarts[row - 1] ?? 0;
    const to = lineStarts[row] ?? from;
    if (!source.slice(from, to).trim().startsWith('//')) break;
    row--;
  }
  return lineStarts[row] ?? decl.startIndex;
}
