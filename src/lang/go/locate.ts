/**
 * Finds a function from what a traceback or Diagnosis says (runtime name, file, line), robust to
 * line drift (the repo moved on since the crash), mangled closure names of inlined code and moved files.
 */
import { splitRuntimeName } from '../../core/go-names.js';
import type { GoFunction } from './functions.js';
import type { GoNode } from './parser.js';
import { dirOf, type GoRepo } from './repo.js';
import { descendantsOfType, type GoFile, lineOf, numberedLines, walk } from './source.js';

export interface LocateQuery {
  /** Repository-relative file. */
  file?: string;
  /** 1-based line as recorded. */
  line?: number;
  /** Runtime name, e.g. `example.com/mod/pkg.(*T).M.func1`. */
  function?: string;
}

/**
 * How the function was found, strongest first: the exact runtime name; the name with the recorded
 * line inside it; the enclosing top-level function of a closure whose number drifted; only the line.
 */
export type LocateMatch = 'name+line' | 'name' | 'closure-by-line' | 'line';

export interface Located {
  fn: GoFunction;
  file: GoFile;
  match: LocateMatch;
  /** The recorded line lies inside the function found. */
  lineInside: boolean;
}

/** Compiler wrappers (`-fm` method values, `.gowrap1`, `.deferwrap1`) stand for the function they wrap. */
function stripWrappers(symbol: string): string {
  return symbol.replace(/-fm$/, '').replace(/\.(gowrap|deferwrap)\d+$/, '');
}

/** Picks a function among `funcs` by symbol and/or line; see LocateMatch for the order tried. */
export function pickFunction(
  funcs: readonly GoFunction[],
  symbol: string | undefined,
  line: number | undefined,
): Omit<Located, 'file'> | undefined {
  const inside = (f: GoFunction): boolean => line !== undefined && f.startLine <= line && line <= f.endLine;
  const innermost = (list: readonly GoFunction[]): GoFunction | undefined =>
    list.filter(inside).sort((a, b) => a.endLine - a.startLine - (b.endLine - b.startLine))[0];
  if (symbol !== undefined) {
    const wanted = stripWrappers(symbol);
    const exact = funcs.find((f) => f.symbol === wanted);
    if (exact !== undefined)
      return { fn: exact, match: inside(exact) ? 'name+line' : 'name', lineInside: inside(exact) };
    // Closure numbers change with inlining (`F.F.func1.func3`) and edits: fall back to the enclosing
    // top-level function, then to its innermost closure around the recorded line.
    const top = funcs
      .filter((f) => f.kind !== 'closure' && wanted.startsWith(`${f.symbol}.`))
      .sort((a, b) => b.symbol.length - a.symbol.length)[0];
    if (top !== undefined) {
      const family = funcs.filter((f) => f.topLevel === top.symbol && f.file === top.file);
      const closure = innermost(family.filter((f) => f.kind === 'closure'));
      if (closure !== undefined) return { fn: closure, match: 'closure-by-line', lineInside: true };
      return { fn: top, match: 'name', lineInside: inside(top) };
    }
  }
  const byLine = innermost(funcs);
  return byLine === undefined ? undefined : { fn: byLine, match: 'line', lineInside: true };
}

/**
 * Locates a function: in the named file first, then in the package the runtime name gives, then
 * anywhere in the repository with the same symbol (the file moved). Undefined when nothing fits.
 */
export async function locateFunction(repo: GoRepo, query: LocateQuery): Promise<Located | undefined> {
  const split = query.function === undefined ? undefined : splitRuntimeName(query.function);
  const symbol = split?.symbol;
  if (query.file !== undefined && (await repo.exists(query.file))) {
    const found = pickFunction(await repo.functionsOfFile(query.file), symbol, query.line);
    // A line-only hit when a name was given would blame the wrong function: only accept names there.
    if (found !== undefined && (symbol === undefined || found.match !== 'line')) {
      return { ...found, file: await repo.file(found.fn.file) };
    }
  }
  if (split === undefined) return undefined;
  const dirs = [...new Set((await repo.goFiles()).filter((f) => !f.endsWith('_test.go')).map(dirOf))];
  const packages = (await Promise.all(dirs.map((d) => repo.package(d)))).filter((p) => p !== undefined);
  const ordered = [
    ...packages.filter((p) => p.runtimePath === split.packagePath),
    ...packages.filter((p) => p.runtimePath !== split.packagePath),
  ];
  for (const pkg of ordered) {
    const funcs = await repo.functions(pkg.dir);
    const found = pickFunction(funcs, split.symbol, undefined);
    if (found !== undefined && found.match !== 'line')
      return { ...found, file: await repo.file(found.fn.file) };
  }
  return undefined;
}

/** The function's source with line numbers, `context` lines around it (its doc comment shows with context ≥ its length). */
export function functionSource(file: GoFile, fn: GoFunction, context = 0): string {
  return numberedLines(file, fn.startLine - context, fn.endLine + context);
}

/**
 * The node satisfying `test` nearest to `line` inside `scope` (ties: the earlier one), with its
 * distance. This is how a statement recorded at a drifted line is found again.
 */
export function nearestNode(
  scope: GoNode,
  line: number,
  test: (node: GoNode) => boolean,
): { node: GoNode; distance: number } | undefined {
  let best: { node: GoNode; distance: number } | undefined;
  walk(scope, (n) => {
    if (test(n)) {
      const from = n.startPosition.row + 1;
      const to = n.endPosition.row + 1;
      const distance = line < from ? from - line : line > to ? line - to : 0;
      if (best === undefined || distance < best.distance) best = { node: n, distance };
    }
    return true;
  });
  return best;
}

/** Statement node types of tree-sitter-go (what a `line` in a traceback points into). */
export const STATEMENT_TYPES = [
  'expression_statement',
  'send_statement',
  'inc_statement',
  'dec_statement',
  'assignment_statement',
  'short_var_declaration',
  'var_declaration',
  'return_statement',
  'go_statement',
  'defer_statement',
  'if_statement',
  'for_statement',
  'expression_switch_statement',
  'type_switch_statement',
  'select_statement',
  'labeled_statement',
  'block',
] as const;

/** The innermost statement that starts on or spans `line` within a function (no drift tolerance). */
export function statementAt(fn: GoFunction, line: number): GoNode | undefined {
  if (fn.body === null) return undefined;
  const candidates = descendantsOfType(fn.body, STATEMENT_TYPES).filter(
    (n) => lineOf(n) <= line && line <= n.endPosition.row + 1 && n.type !== 'block',
  );
  return candidates.sort((a, b) => b.startIndex - a.startIndex)[0];
}
