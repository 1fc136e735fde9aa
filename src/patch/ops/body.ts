/** replace-function-body: an LLM's rewrite of one named function's body, accepted only if it parses as a block. */
import { PatchError } from '../../core/errors.js';
import { type GoRepo, parseGo } from '../../lang/go/index.js';
import { replaceNode } from '../go/edit.js';
import { type Applied, addEdits, appliedIn, locate, precondition } from './common.js';
import type { Operation } from './schema.js';

export async function replaceFunctionBody(
  repo: GoRepo,
  op: Extract<Operation, { op: 'replace-function-body' }>,
): Promise<Applied> {
  const located = await locate(repo, op);
  if (located.match === 'line' || located.match === 'closure-by-line')
    throw precondition(`${op.function} is not a function of ${op.file}`);
  const body = op.body.trim();
  const probe = await parseGo(`package p\n\nfunc f() ${body}\n`);
  const decl = probe.root.namedChildren.find((n) => n.type === 'function_declaration');
  if (probe.hasError || decl?.childForFieldName('body')?.text !== body) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_PARSE',
      `the new body of ${op.function} is not one Go block that parses`,
    );
  }
  const applied = appliedIn(located.fn, located.fn.startLine);
  applied.params = { lines: String(body.split('\n').length) };
  addEdits(applied, located.file, [replaceNode(located.body, body)], op.imports);
  applied.explanation = `Rewrites the body of ${located.fn.symbol}.`;
  return applied;
}
