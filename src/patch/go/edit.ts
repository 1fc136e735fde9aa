/**
 * Text edits on a parsed Go file, addressed by tree-sitter node positions (UTF-16 indices into
 * the JS string), and the insertion shapes the operations need: a statement before a statement,
 * a field in a struct, a key in a composite literal, an import.
 */
import { PatchError } from '../../core/errors.js';
import { descendantsOfType, type GoFile, type GoNode, indentOf, lineText } from '../../lang/go/index.js';

export interface TextEdit {
  /** UTF-16 index in the file's source. */
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits; overlapping ones are a bug in an operation, reported as a precondition failure. */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    if (edit.start < at) {
      throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', `two edits overlap at offset ${edit.start}`);
    }
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}

/** Indents every non-empty line of `block` with `indent`. */
export function indentBlock(block: string, indent: string): string {
  return block
    .split('\n')
    .map((l) => (l === '' ? l : indent + l))
    .join('\n');
}

/** Inserts `code` (one or more lines, unindented, tab-nested) on its own lines before `stmt`. */
export function insertBefore(file: GoFile, stmt: GoNode, code: string): TextEdit {
  assertOwnLine(file, stmt);
  const indent = indentOf(file, stmt);
  const lineStart = file.lineStarts[stmt.startPosition.row] ?? stmt.startIndex;
  return { start: lineStart, end: lineStart, text: `${indentBlock(code, indent)}\n` };
}

/** Inserts `code` as the first statements of a block (`{` must end its line). */
export function insertAtBlockStart(file: GoFile, block: GoNode, code: string): TextEdit {
  const open = block.children[0];
  if (open?.type !== '{') throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'expected a block');
  const first = block.namedChildren[0];
  const firstStmt = first?.type === 'statement_list' ? first.namedChildren[0] : first;
  if (firstStmt !== undefined && firstStmt.startPosition.row === open.startPosition.row) {
    // `func() { x() }` on one line: break it open so the inserted statements get their own lines.
    const indent = indentOf(file, block);
    const close = block.children[block.children.length - 1];
    if (close === undefined) throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'unterminated block');
    const inner = file.source.slice(open.endIndex, close.startIndex).trim();
    return {
      start: open.endIndex,
      end: close.startIndex,
      text: `\n${indentBlock(`${code}\n${inner}`, `${indent}\t`)}\n${indent}`,
    };
  }
  const indent = `${indentOf(file, block)}\t`;
  return { start: open.endIndex, end: open.endIndex, text: `\n${indentBlock(code, indent)}` };
}

/** A statement must start its line for a line-wise insertion before it to be correct. */
function assertOwnLine(file: GoFile, stmt: GoNode): void {
  const line = lineText(file, stmt.startPosition.row + 1);
  if (line.slice(0, stmt.startPosition.column).trim() !== '') {
    throw new PatchError(
      'MEDIC_ERR_PATCH_PRECONDITION',
      `the statement at line ${stmt.startPosition.row + 1} does not start its line`,
    );
  }
}

/** Deletes the whole line(s) of a statement; it must stand alone on them (a trailing comment goes with it). */
export function deleteStatementLine(file: GoFile, stmt: GoNode): TextEdit {
  const from = file.lineStarts[stmt.startPosition.row] ?? stmt.startIndex;
  const to = file.lineStarts[stmt.endPosition.row + 1] ?? stmt.endIndex;
  const before = file.source.slice(from, stmt.startIndex).trim();
  const after = file.source.slice(stmt.endIndex, to).trim();
  if (before !== '' || (after !== '' && !after.startsWith('//'))) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_PRECONDITION',
      `the statement at line ${stmt.startPosition.row + 1} shares its line`,
    );
  }
  return { start: from, end: to, text: '' };
}

/** Replaces a node's text. */
export function replaceNode(node: GoNode, text: string): TextEdit {
  return { start: node.startIndex, end: node.endIndex, text };
}

/** Adds `key: value` to a keyed composite literal (`&T{a: 1}` or a multi-line one). */
export function addLiteralKey(file: GoFile, literal: GoNode, key: string, value: string): TextEdit {
  const body = literal.childForFieldName('body');
  if (body === null) throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'composite literal without a body');
  const elements = body.namedChildren.filter((n) => n.type !== 'comment');
  if (elements.some((e) => e.type !== 'keyed_element')) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_PRECONDITION',
      `the literal at line ${literal.startPosition.row + 1} has unkeyed fields`,
    );
  }
  const close = body.children[body.children.length - 1];
  if (close === undefined) throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'unterminated literal');
  const last = elements[elements.length - 1];
  if (body.startPosition.row === close.startPosition.row) {
    if (last === undefined)
      return { start: close.startIndex, end: close.startIndex, text: `${key}: ${value}` };
    // Keep a trailing comma if the author wrote one (gofmt removes it on one line anyway).
    return { start: last.endIndex, end: last.endIndex, text: `, ${key}: ${value}` };
  }
  const indent = last === undefined ? `${indentOf(file, literal)}\t` : indentOf(file, last);
  const lineStart = file.lineStarts[close.startPosition.row] ?? close.startIndex;
  return { start: lineStart, end: lineStart, text: `${indent}${key}: ${value},\n` };
}

/** Adds a field line at the top of a struct type's field list. */
export function addStructField(file: GoFile, struct: GoNode, field: string): TextEdit {
  const list = struct.namedChildren.find((n) => n.type === 'field_declaration_list');
  const open = list?.children[0];
  if (list == null || open === undefined)
    throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'not a struct type');
  const close = list.children[list.children.length - 1];
  const first = list.namedChildren[0];
  if (close !== undefined && close.startPosition.row === open.startPosition.row) {
    // `struct{ a int }` on one line: put the field first, gofmt keeps it on one line.
    const sep = first === undefined ? '' : '; ';
    return { start: open.endIndex, end: first?.startIndex ?? close.startIndex, text: ` ${field}${sep}` };
  }
  const indent = first === undefined ? `${indentOf(file, struct)}\t` : indentOf(file, first);
  const lineStart = file.lineStarts[open.startPosition.row + 1] ?? open.endIndex;
  return { start: lineStart, end: lineStart, text: `${indent}${field}\n` };
}

/** Imported paths of a file. */
export function importedPaths(file: GoFile): string[] {
  return descendantsOfType(file.root, 'import_spec').map(
    (s) => s.childForFieldName('path')?.text.slice(1, -1) ?? '',
  );
}

/**
 * An edit that imports `path` if the file does not already; undefined when it does. A single
 * import line becomes a block; a block gets the path in sorted position among standard imports.
 */
export function ensureImport(file: GoFile, path: string): TextEdit | undefined {
  if (importedPaths(file).includes(path)) return undefined;
  const decls = file.root.namedChildren.filter((n) => n.type === 'import_declaration');
  const quoted = `"${path}"`;
  const decl = decls[0];
  if (decl === undefined) {
    const pkg = file.root.namedChildren.find((n) => n.type === 'package_clause');
    if (pkg === undefined) throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'file has no package clause');
    return { start: pkg.endIndex, end: pkg.endIndex, text: `\n\nimport ${quoted}` };
  }
  const list = decl.namedChildren.find((n) => n.type === 'import_spec_list');
  if (list === undefined) {
    const spec = decl.namedChildren.find((n) => n.type === 'import_spec');
    if (spec === undefined) throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'empty import declaration');
    const specs = [spec.text, quoted].sort((a, b) => importKey(a).localeCompare(importKey(b)));
    return replaceNode(decl, `import (\n\t${specs.join('\n\t')}\n)`);
  }
  const specs = list.namedChildren.filter((n) => n.type === 'import_spec');
  // The first group holds the standard library by convention: insert in order within it.
  const std = specs.filter((s) => !(s.childForFieldName('path')?.text ?? '').includes('.'));
  const group = std.length > 0 ? std : specs;
  const after = group.filter((s) => importKey(s.text) < importKey(quoted)).pop();
  const anchor = after ?? group[0];
  if (anchor === undefined) {
    const open = list.children[0];
    if (open === undefined) throw new PatchError('MEDIC_ERR_PATCH_PRECONDITION', 'bad import list');
    return { start: open.endIndex, end: open.endIndex, text: `\n\t${quoted}` };
  }
  const indent = indentOf(file, anchor);
  if (after === undefined) {
    const lineStart = file.lineStarts[anchor.startPosition.row] ?? anchor.startIndex;
    return { start: lineStart, end: lineStart, text: `${indent}${quoted}\n` };
  }
  const nextLine = file.lineStarts[anchor.endPosition.row + 1] ?? anchor.endIndex;
  return { start: nextLine, end: nextLine, text: `${indent}${quoted}\n` };
}

/**
 * Imports every path in `paths` the file lacks, as one edit (several single-path edits could
 * overlap when a lone `import "x"` line has to become a block).
 */
export function ensureImports(file: GoFile, paths: Iterable<string>): TextEdit | undefined {
  const missing = [...new Set(paths)].filter((p) => !importedPaths(file).includes(p)).sort();
  if (missing.length === 0) return undefined;
  const decls = file.root.namedChildren.filter((n) => n.type === 'import_declaration');
  const lone =
    decls.length === 1 && decls[0]?.namedChildren.find((n) => n.type === 'import_spec_list') === undefined;
  if (missing.length === 1 || !lone) {
    const edits = missing.map((p) => ensureImport(file, p)).filter((e) => e !== undefined);
    // Several inserts into an existing block: at distinct or equal anchors, never overlapping.
    if (edits.length === 1) return edits[0];
    const start = Math.min(...edits.map((e) => e.start));
    const end = Math.max(...edits.map((e) => e.end));
    return { start, end, text: applyEdits(file.source.slice(0, end), edits).slice(start) };
  }
  const decl = decls[0] as GoNode;
  const spec = decl.namedChildren.find((n) => n.type === 'import_spec');
  const specs = [...(spec === undefined ? [] : [spec.text]), ...missing.map((p) => `"${p}"`)].sort((a, b) =>
    importKey(a).localeCompare(importKey(b)),
  );
  return replaceNode(decl, `import (\n\t${specs.join('\n\t')}\n)`);
}

/** Sort key of an import spec: its path (aliases do not change the order gofmt keeps). */
function importKey(spec: string): string {
  return /"([^"]*)"/.exec(spec)?.[1] ?? spec;
}
