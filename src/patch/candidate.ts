/**
 * Builds one candidate patch: applies its operations in order on an in-memory overlay of the
 * repository (each sees the previous one's result), checks that every touched file still parses,
 * gofmts it, and diffs it against the original. The repository on disk is never written.
 */
import { PatchError } from '../core/errors.js';
import type { EditOperation } from '../core/model.js';
import { firstSyntaxError, type GoRepo, parseGo } from '../lang/go/index.js';
import { type FileChange, unifiedDiffs } from './diff.js';
import { applyEdits, ensureImports } from './go/edit.js';
import { formatEdited } from './go/gofmt.js';
import { applyOperation } from './ops/index.js';
import { LAST_RESORT, type Operation } from './ops/schema.js';

export interface BuiltCandidate {
  operations: EditOperation[];
  /** Repository-relative path → patched text (gofmt'ed). */
  files: Map<string, string>;
  changes: FileChange[];
  diff: string;
}

/** Applies `ops` in order; throws the first operation's PatchError (precondition, parse, gofmt). */
export async function buildCandidate(base: GoRepo, ops: readonly Operation[]): Promise<BuiltCandidate> {
  const overlay = new Map<string, string>();
  const records: EditOperation[] = [];
  for (const op of ops) {
    const repo = base.withOverlay(overlay);
    const applied = await applyOperation(repo, op);
    if (applied.edits.size === 0)
      throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', `${op.op} changed nothing`);
    for (const [path, edits] of applied.edits) {
      const file = await repo.file(path);
      const importEdit = ensureImports(file, applied.imports.get(path) ?? []);
      overlay.set(path, applyEdits(file.source, importEdit === undefined ? edits : [...edits, importEdit]));
    }
    records.push({
      op: op.op,
      file: [...applied.edits.keys()][0] ?? op.file,
      ...(applied.function === undefined ? {} : { function: applied.function }),
      line: applied.line ?? op.line,
      explanation: applied.explanation,
      params: applied.params,
      lastResort: LAST_RESORT.has(op.op),
    });
  }
  const changes: FileChange[] = [];
  for (const [path, text] of overlay) {
    const parsed = await parseGo(text, path);
    const error = firstSyntaxError(parsed.root);
    if (error !== undefined) {
      throw new PatchError(
        'MEDIC_ERR_PATCH_PARSE',
        `the patched ${path} does not parse at line ${error.startPosition.row + 1}`,
        {
          details: { file: path, line: error.startPosition.row + 1 },
        },
      );
    }
    const original = await base.text(path).catch(() => undefined);
    const formatted = await formatEdited(original ?? text, text, path);
    overlay.set(path, formatted);
    changes.push({ path, before: original, after: formatted });
  }
  return { operations: records, files: overlay, changes, diff: unifiedDiffs(changes) };
}
