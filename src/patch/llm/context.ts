/**
 * What the model sees when asked for a patch: the diagnosis, the functions it may change with
 * their numbered source, the methods the blamed line calls, and the operation catalogue, every
 * piece of incident or repository text fenced as data under a per-request nonce.
 */
import type { Diagnosis } from '../../core/model.js';
import { fence } from '../../diagnose/index.js';
import {
  descendantsOfType,
  dirOf,
  functionSource,
  type GoFunction,
  type GoRepo,
  type Located,
} from '../../lang/go/index.js';
import { operationCatalogue } from './schema.js';

export interface PatchPromptValues {
  nonce: string;
  incidentId: string;
  failureClass: string;
  strategies: string;
  diagnosis: string;
  scope: string;
  source: string;
  operations: string;
}

/** Same-package functions and methods the blamed function calls (a locked variant, a release method...). */
async function callees(repo: GoRepo, blamed: GoFunction): Promise<GoFunction[]> {
  if (blamed.body === null) return [];
  const dir = dirOf(blamed.file);
  const names = new Set(
    descendantsOfType(blamed.body, 'call_expression').map((c) => {
      const f = c.childForFieldName('function');
      return f?.type === 'selector_expression' ? (f.childForFieldName('field')?.text ?? '') : (f?.text ?? '');
    }),
  );
  const funcs = await repo.functions(dir);
  return funcs.filter(
    (f) =>
      f.kind !== 'closure' &&
      names.has(f.name) &&
      (f.kind === 'function' || f.receiver?.type === blamed.receiver?.type),
  );
}

export async function patchPromptValues(
  repo: GoRepo,
  input: {
    nonce: string;
    incidentId: string;
    diagnosis: Diagnosis;
    blamed: Located;
    scope: GoFunction[];
    /** Characters of source the prompt may carry. */
    budget: number;
  },
): Promise<PatchPromptValues> {
  const { diagnosis: d, nonce, blamed } = input;
  const diagnosis = [
    `class: ${d.rootCauseClass}`,
    `blamed: ${d.location.function} at ${d.location.file}:${d.location.line}`,
    `summary: ${d.summary}`,
    `mechanism: ${d.mechanism}`,
    `counterfactual: ${d.counterfactual}`,
  ].join('\n');
  const shown: GoFunction[] = [blamed.fn];
  for (const f of [...input.scope, ...(await callees(repo, blamed.fn))])
    if (!shown.some((s) => s.qualifiedName === f.qualifiedName)) shown.push(f);
  const parts: string[] = [];
  let used = 0;
  for (const fn of shown) {
    const text = functionSource(await repo.file(fn.file), fn, fn === blamed.fn ? 3 : 0);
    if (used + text.length > input.budget && parts.length > 0) break;
    used += text.length;
    parts.push(fence(`source ${fn.file} ${fn.qualifiedName}`, text, nonce));
  }
  return {
    nonce,
    incidentId: input.incidentId,
    failureClass: d.rootCauseClass,
    strategies: [d.fixStrategy, ...d.otherStrategies].join(', '),
    diagnosis: fence('diagnosis', diagnosis, nonce),
    scope: input.scope.map((f) => `- ${f.qualifiedName} (${f.file}:${f.startLine}-${f.endLine})`).join('\n'),
    source: parts.join('\n\n'),
    operations: operationCatalogue(),
  };
}
