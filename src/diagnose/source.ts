/** The SourceIndex port over the Go syntax adapter (src/lang/go): read-only, cached per repository. */
import type { CodeLocation } from '../core/model.js';
import { findCallers, findModule, GoRepo, locateFunction, normalise } from '../lang/go/index.js';
import type { FunctionSpan, SourceIndex } from './ports.js';

export function openSource(repoDir: string): SourceIndex {
  const repo = new GoRepo(repoDir);
  const lineCache = new Map<string, Promise<readonly string[] | undefined>>();
  let module: Promise<string | undefined> | undefined;

  const lines = (file: string): Promise<readonly string[] | undefined> => {
    const key = normalise(file);
    // Paths that climb out of the repository are never read, whatever a model or a log says.
    if (key.startsWith('..') || key.startsWith('/')) return Promise.resolve(undefined);
    let pending = lineCache.get(key);
    if (pending === undefined) {
      pending = repo
        .exists(key)
        .then(async (ok) => (ok ? (await repo.file(key)).source.split('\n') : undefined));
      lineCache.set(key, pending);
    }
    return pending;
  };

  const span = (fn: {
    qualifiedName: string;
    file: string;
    startLine: number;
    endLine: number;
  }): FunctionSpan => ({
    function: fn.qualifiedName,
    file: fn.file,
    startLine: fn.startLine,
    endLine: fn.endLine,
  });

  return {
    repoDir,
    modulePath: () => {
      module ??= findModule(repoDir, '.').then((m) => m?.path);
      return module;
    },
    lines,
    goFiles: async () => (await repo.goFiles()).filter((f) => !f.endsWith('_test.go')),
    async functionAt(file, line) {
      if ((await lines(file)) === undefined || !file.endsWith('.go')) return undefined;
      const found = await locateFunction(repo, { file: normalise(file), line });
      return found?.lineInside ? span(found.fn) : undefined;
    },
    async findFunction(qualified) {
      const found = await locateFunction(repo, { function: qualified });
      return found ? span(found.fn) : undefined;
    },
    async callers(qualified): Promise<CodeLocation[]> {
      const found = await locateFunction(repo, { function: qualified });
      if (!found) return [];
      const sites = await findCallers(repo, found.fn);
      return sites
        .filter((s) => s.confidence !== 'method-name' || sites.length < 8)
        .map((s) => ({ file: s.file, line: s.line, function: s.function ?? '' }))
        .filter((l) => l.function !== '');
    },
  };
}
