/** Syntax-level reads of the repository the refinements rely on: grep with functions, held locks, call lines. */
import type { CodeLocation } from '../../core/model.js';
import type { FunctionSpan, SourceIndex } from '../ports.js';

export const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lines anywhere in the repository matching `re`, with their enclosing function. */
export async function grep(src: SourceIndex, re: RegExp, limit = 8): Promise<CodeLocation[]> {
  const out: CodeLocation[] = [];
  for (const file of await src.goFiles()) {
    const lines = (await src.lines(file)) ?? [];
    for (const [i, text] of lines.entries()) {
      if (!re.test(text)) continue;
      const fn = await src.functionAt(file, i + 1);
      if (fn) out.push({ file, line: i + 1, function: fn.function });
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** The function holding `loc`, with its lines. */
export async function body(
  src: SourceIndex,
  loc: CodeLocation,
): Promise<{ span: FunctionSpan; lines: readonly string[] } | undefined> {
  const span = (await src.functionAt(loc.file, loc.line)) ?? (await src.findFunction(loc.function));
  const lines = span && (await src.lines(span.file));
  return span && lines ? { span, lines } : undefined;
}

/** `l.mu.Lock()` -> `.mu`: the lock named by its field, so `l.mu` and `b.mu` of one type compare equal. */
export function lockField(expr: string): string {
  const dot = expr.indexOf('.');
  return dot === -1 ? expr : expr.slice(dot);
}

/**
 * The line where the function holding `loc` takes a lock it still holds at `loc.line` (taken
 * earlier in the same function, not released by a plain Unlock in between). `field` narrows
 * it to one lock (`.mu`); otherwise any lock counts.
 */
export async function lockHeldAt(
  src: SourceIndex,
  loc: CodeLocation,
  field?: string,
): Promise<{ at: CodeLocation; expr: string } | undefined> {
  const b = await body(src, loc);
  if (!b) return undefined;
  let held: { line: number; expr: string } | undefined;
  for (let n = b.span.startLine; n < loc.line; n++) {
    const text = b.lines[n - 1] ?? '';
    const lock = /([\w.]+)\.R?Lock\(\)/.exec(text);
    if (lock?.[1] && !/\bdefer\b/.test(text) && (!field || lockField(lock[1]) === field)) {
      held = { line: n, expr: lock[1] };
      continue;
    }
    const unlock = /([\w.]+)\.R?Unlock\(\)/.exec(text);
    if (held && unlock?.[1] && !/\bdefer\b/.test(text) && lockField(unlock[1]) === lockField(held.expr))
      held = undefined;
  }
  return held && { at: { file: b.span.file, line: held.line, function: b.span.function }, expr: held.expr };
}

/** The first line in `fn` that calls `callee` (by its short name), for moving blame to a caller. */
export async function callLine(
  src: SourceIndex,
  fn: string,
  callee: string,
): Promise<CodeLocation | undefined> {
  const span = await src.findFunction(fn);
  const lines = span && (await src.lines(span.file));
  const name = /(?:\.|\))([A-Za-z_]\w*)(?:\[\.\.\.\])?$/.exec(callee)?.[1];
  if (!span || !lines || !name) return undefined;
  const re = new RegExp(`\\b${escapeRe(name)}(?:\\[[^\\]]*\\])?\\(`);
  for (let n = span.startLine + 1; n <= span.endLine; n++) {
    if (re.test(lines[n - 1] ?? '')) return { file: span.file, line: n, function: span.function };
  }
  return undefined;
}
