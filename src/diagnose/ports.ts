/** The diagnose stage's ports: read-only access to the target's Go source, and the clock it waits on. */
import type { CodeLocation } from '../core/model.js';

/** A function's extent in the repository; `function` is qualified as the Go runtime prints it. */
export interface FunctionSpan {
  function: string;
  /** Repository-relative, forward slashes. */
  file: string;
  startLine: number;
  endLine: number;
}

/**
 * What diagnosis reads from the repository. Implemented over the Go syntax adapter
 * (src/lang/go) by `openSource`; every path is repository-relative.
 */
export interface SourceIndex {
  readonly repoDir: string;
  /** The Go module path from go.mod (`example.com/shop`), when there is one. */
  modulePath(): Promise<string | undefined>;
  /** Repository-relative paths of the non-test .go files, sorted. */
  goFiles(): Promise<string[]>;
  /** The file's lines (index 0 is line 1), or undefined when it is not in the repository. */
  lines(file: string): Promise<readonly string[] | undefined>;
  /** The innermost function (closures included) whose body holds `line`. */
  functionAt(file: string, line: number): Promise<FunctionSpan | undefined>;
  /** Finds a function by its runtime-qualified name (`example.com/m/pkg.(*T).M.func1`). */
  findFunction(qualified: string): Promise<FunctionSpan | undefined>;
  /** Call sites of the function, best effort (syntactic, not type-checked). */
  callers(qualified: string): Promise<CodeLocation[]>;
}

/** Waits `ms` milliseconds; passed in so that retry delays are observable in tests without sleeping. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
