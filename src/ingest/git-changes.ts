/** Recent changes near suspect lines, read with `git log` and `git blame` from the target repository. */
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../core/exec.js';
import type { CodeLocation } from '../core/model.js';

export interface LineChange {
  file: string;
  line: number;
  commit: string;
  /** 0 for the newest commit of the repository, 1 for the one before...; -1 for uncommitted edits. */
  recency: number;
  author: string;
  /** Author time, ISO 8601. */
  date: string;
  summary: string;
}

export interface GitOptions {
  /** Commits (newest first) that count as recent. Default 20. */
  recentCommits?: number;
  /** Lines either side of the suspect line to look at, within its function. Default 15. */
  window?: number;
}

export interface GitHistory {
  head: string;
  /** Recently changed lines in the function around `loc`, most recent first. */
  changesNear(loc: CodeLocation): Promise<LineChange[]>;
}

const UNCOMMITTED = /^0{40}$/;

/**
 * The repository's history, or undefined when `repoDir` is not the top of a git work tree
 * (a service copied inside another repository must not be blamed on that repository's commits).
 */
export async function openGitHistory(
  repoDir: string,
  options: GitOptions = {},
): Promise<GitHistory | undefined> {
  const top = await git(repoDir, ['rev-parse', '--show-toplevel']);
  if (top === undefined) return undefined;
  const [a, b] = await Promise.all([realpath(top.trim()), realpath(repoDir)]).catch(() => ['', 'x']);
  if (a !== b) return undefined;
  const log = await git(repoDir, ['log', `-n${options.recentCommits ?? 20}`, '--format=%H']);
  if (log === undefined) return undefined;
  const recent = log.split('\n').filter(Boolean);
  const head = recent[0];
  if (head === undefined) return undefined;
  const window = options.window ?? 15;
  return {
    head,
    async changesNear(loc) {
      const span = await functionSpan(join(repoDir, loc.file), loc.line, window);
      if (span === undefined) return [];
      const out = await git(repoDir, ['blame', '--porcelain', `-L${span.from},${span.to}`, '--', loc.file]);
      if (out === undefined) return [];
      return parseBlame(out, loc.file)
        .flatMap((c): LineChange[] => {
          if (UNCOMMITTED.test(c.commit)) return [{ ...c, recency: -1 }];
          const recency = recent.indexOf(c.commit);
          return recency < 0 ? [] : [{ ...c, recency }];
        })
        .sort((x, y) => x.recency - y.recency || x.line - y.line);
    },
  };
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await run(['git', ...args], { cwd, timeoutMs: 30_000 });
    return result.exitCode === 0 ? result.stdout : undefined;
  } catch {
    // git missing from PATH: there is no history to read, which is not an ingest failure.
    return undefined;
  }
}

/**
 * Lines of the top-level function enclosing `line`, clipped to `window` lines either side.
 * gofmt puts `func` and the closing `}` of top-level functions in column 0, which is enough here.
 */
export async function functionSpan(
  path: string,
  line: number,
  window: number,
): Promise<{ from: number; to: number } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path, 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  if (line < 1 || line > lines.length) return undefined;
  let start = line;
  while (start > 1 && !lines[start - 1]!.startsWith('func ')) start--;
  let end = line;
  while (end < lines.length && !lines[end - 1]!.startsWith('}')) end++;
  if (!lines[start - 1]!.startsWith('func ')) start = 1;
  return { from: Math.max(start, line - window), to: Math.min(end, line + window) };
}

/** `git blame --porcelain`: a header per line, commit details the first time a commit appears. */
export function parseBlame(text: string, file: string): Omit<LineChange, 'recency'>[] {
  const commits = new Map<string, { author: string; date: string; summary: string }>();
  const lines: { commit: string; line: number }[] = [];
  let current: string | undefined;
  for (const row of text.split('\n')) {
    const header = /^([0-9a-f]{40}) \d+ (\d+)/.exec(row);
    if (header) {
      current = header[1]!;
      lines.push({ commit: current, line: Number(header[2]) });
      if (!commits.has(current)) commits.set(current, { author: '', date: '', summary: '' });
      continue;
    }
    if (current === undefined || row.startsWith('\t')) continue;
    const info = commits.get(current)!;
    if (row.startsWith('author ')) info.author = row.slice(7);
    else if (row.startsWith('author-time ')) info.date = new Date(Number(row.slice(12)) * 1000).toISOString();
    else if (row.startsWith('summary ')) info.summary = row.slice(8);
  }
  return lines.map(({ commit, line }) => ({ file, line, commit, ...commits.get(commit)! }));
}
