/** Loads a tree-sitter-go parser (native binding first, web-tree-sitter WASM as fallback) and parses Go source. */
import { createRequire } from 'node:module';
import { PatchError } from '../../core/errors.js';

const require = createRequire(import.meta.url);

export interface Point {
  row: number;
  column: number;
}

/**
 * The slice of tree-sitter's node API this adapter uses; both the native binding and
 * web-tree-sitter satisfy it. Indices and columns are UTF-16 positions in the JS string
 * (when parsing a string), so `source.slice(node.startIndex, node.endIndex)` is exact.
 */
export interface GoNode {
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly parent: GoNode | null;
  readonly children: readonly GoNode[];
  readonly namedChildren: readonly GoNode[];
  readonly hasError: boolean;
  readonly isMissing: boolean;
  childForFieldName(name: string): GoNode | null;
}

export interface GoTree {
  readonly rootNode: GoNode;
}

/** Which binding parsed: tests and `medic doctor` want to know. */
export type Backend = 'native' | 'wasm';

interface ParserLike {
  parse(source: string): GoTree | null;
}

export interface LoadedParser {
  backend: Backend;
  parser: ParserLike;
}

const loaded = new Map<Backend | 'auto', Promise<LoadedParser>>();

async function loadNative(): Promise<ParserLike> {
  const Parser = require('tree-sitter') as new () => {
    setLanguage(l: unknown): void;
    parse(s: string): GoTree;
  };
  const language: unknown = require('tree-sitter-go');
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

async function loadWasm(): Promise<ParserLike> {
  const web = await import('web-tree-sitter');
  await web.Parser.init();
  const language = await web.Language.load(require.resolve('tree-sitter-go/tree-sitter-go.wasm'));
  const parser = new web.Parser();
  parser.setLanguage(language);
  return parser as unknown as ParserLike;
}

/**
 * The process-wide parser. `MEDIC_TREE_SITTER=wasm` forces the fallback (tests use it to keep
 * the fallback honest); otherwise a native binding that fails to load (no prebuilt binary for
 * this libstdc++, no compiler at install time) falls back to WASM.
 */
export function goParser(prefer: Backend | 'auto' = preferredBackend()): Promise<LoadedParser> {
  let pending = loaded.get(prefer);
  if (pending === undefined) {
    const wasm = (): Promise<LoadedParser> => loadWasm().then((parser) => ({ backend: 'wasm', parser }));
    const native = (): Promise<LoadedParser> =>
      loadNative().then((parser) => ({ backend: 'native', parser }));
    pending = prefer === 'wasm' ? wasm() : prefer === 'native' ? native() : native().catch(wasm);
    loaded.set(prefer, pending);
  }
  return pending;
}

function preferredBackend(): Backend | 'auto' {
  return process.env.MEDIC_TREE_SITTER === 'wasm' ? 'wasm' : 'auto';
}

/** Parses with the given parser; throws MEDIC_ERR_PATCH_PARSE when tree-sitter gives up entirely. */
export function parseWith(parser: ParserLike, source: string, path: string): GoTree {
  const tree = parser.parse(source);
  if (tree === null) throw new PatchError('MEDIC_ERR_PATCH_PARSE', `tree-sitter could not parse ${path}`);
  return tree;
}

/** The first ERROR or MISSING node, for a message that points at the line. */
export function firstSyntaxError(node: GoNode): GoNode | undefined {
  if (!node.hasError) return undefined;
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (const child of node.children) {
    const found = firstSyntaxError(child);
    if (found !== undefined) return found;
  }
  return node;
}
