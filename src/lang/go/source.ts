/** A parsed Go file: its text, syntax tree, package name and line table, plus node-walking helpers. */
import { type Backend, type GoNode, goParser, parseWith } from './parser.js';

export interface GoFile {
  /** Repository-relative path with forward slashes (or whatever name the caller gave). */
  readonly path: string;
  readonly source: string;
  readonly root: GoNode;
  /** `package x` name; `main` for commands. Empty when the clause is missing. */
  readonly packageName: string;
  /** UTF-16 index where each line starts; `lineStarts[0]` is line 1. */
  readonly lineStarts: readonly number[];
  /** True when tree-sitter found syntax errors (the tree still covers the file). */
  readonly hasError: boolean;
  readonly backend: Backend;
}

/** Parses Go source text; never throws on syntax errors (see `hasError`), only when parsing is impossible. */
export async function parseGo(source: string, path = 'input.go'): Promise<GoFile> {
  const { parser, backend } = await goParser();
  const root = parseWith(parser, source, path).rootNode;
  const pkg = root.namedChildren.find((n) => n.type === 'package_clause');
  const packageName = pkg?.namedChildren[0]?.text ?? '';
  return {
    path,
    source,
    root,
    packageName,
    lineStarts: lineStartsOf(source),
    hasError: root.hasError,
    backend,
  };
}

export function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based first line of a node. */
export function lineOf(node: GoNode): number {
  return node.startPosition.row + 1;
}

/** 1-based last line of a node. */
export function endLineOf(node: GoNode): number {
  return node.endPosition.row + 1;
}

/** The text of 1-based line `line` without its newline ('' past the end). */
export function lineText(file: GoFile, line: number): string {
  const start = file.lineStarts[line - 1];
  if (start === undefined) return '';
  const next = file.lineStarts[line];
  return file.source.slice(start, next === undefined ? file.source.length : next - 1);
}

/** Lines `from..to` (1-based, inclusive) prefixed with right-aligned line numbers: ` 42 | code`. */
export function numberedLines(file: GoFile, from: number, to: number): string {
  const last = Math.min(to, file.lineStarts.length);
  const width = String(last).length;
  const out: string[] = [];
  for (let line = Math.max(1, from); line <= last; line++) {
    out.push(`${String(line).padStart(width)} | ${lineText(file, line)}`);
  }
  return out.join('\n');
}

/** Leading whitespace of the line a node starts on (the indentation new sibling statements need). */
export function indentOf(file: GoFile, node: GoNode): string {
  return /^[\t ]*/.exec(lineText(file, lineOf(node)))?.[0] ?? '';
}

/** Pre-order walk; return false from `visit` to skip a node's children. */
export function walk(node: GoNode, visit: (node: GoNode) => boolean | undefined): void {
  if (visit(node) === false) return;
  for (const child of node.namedChildren) walk(child, visit);
}

/** All descendants (including `node`) of the given types, in source order. */
export function descendantsOfType(node: GoNode, types: string | readonly string[]): GoNode[] {
  const wanted = typeof types === 'string' ? [types] : types;
  const out: GoNode[] = [];
  walk(node, (n) => {
    if (wanted.includes(n.type)) out.push(n);
    return true;
  });
  return out;
}

/** Nearest ancestor (excluding `node`) of one of the given types. */
export function ancestorOfType(node: GoNode, types: readonly string[]): GoNode | undefined {
  for (let p = node.parent; p !== null; p = p.parent) if (types.includes(p.type)) return p;
  return undefined;
}

/** Deepest named node covering the UTF-16 range [start, end). */
export function nodeAt(root: GoNode, start: number, end = start): GoNode {
  let current = root;
  for (;;) {
    const next = current.namedChildren.find(
      (c) => c.startIndex <= start && end <= c.endIndex && c !== current,
    );
    if (next === undefined) return current;
    current = next;
  }
}

/** Same node (tree-sitter node objects are not stable across calls, ids are). */
export function sameNode(a: GoNode | null | undefined, b: GoNode | null | undefined): boolean {
  return a != null && b != null && a.id === b.id;
}
