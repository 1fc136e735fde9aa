/** Unified diffs (git style, a/ and b/ prefixes, 3 lines of context) that `git apply` accepts at the repository root. */

export interface FileChange {
  /** Repository-relative path with forward slashes. */
  path: string;
  /** Undefined for a new file. */
  before: string | undefined;
  after: string;
}

interface Line {
  text: string;
  /** The line had no newline after it (last line of a file without a trailing newline). */
  noEol: boolean;
}

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const endsWithNewline = parts[parts.length - 1] === '';
  if (endsWithNewline) parts.pop();
  return parts.map((t, i) => ({ text: t, noEol: !endsWithNewline && i === parts.length - 1 }));
}

type Op = { kind: ' ' | '-' | '+'; line: Line };

/** Myers' O(ND) shortest edit script over lines. */
function editScript(a: Line[], b: Line[]): Op[] {
  const eq = (x: Line | undefined, y: Line | undefined): boolean =>
    x !== undefined && y !== undefined && x.text === y.text && x.noEol === y.noEol;
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1));
      let x = down ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && eq(a[x], b[y])) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Map<number, number>;
    const k = x - y;
    const down = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: ' ', line: a[x] as Line });
    }
    if (d === 0) break;
    if (down) ops.push({ kind: '+', line: b[--y] as Line });
    else ops.push({ kind: '-', line: a[--x] as Line });
  }
  return ops.reverse();
}

/** One file's diff (empty string when nothing changed). */
export function unifiedDiff(change: FileChange, context = 3): string {
  const a = splitLines(change.before ?? '');
  const b = splitLines(change.after);
  const ops = editScript(a, b);
  if (ops.every((o) => o.kind === ' ')) return '';
  const header =
    change.before === undefined
      ? `diff --git a/${change.path} b/${change.path}\nnew file mode 100644\n--- /dev/null\n+++ b/${change.path}\n`
      : `diff --git a/${change.path} b/${change.path}\n--- a/${change.path}\n+++ b/${change.path}\n`;
  const hunks: string[] = [];
  let i = 0;
  // Positions (1-based) of each op in the old and new files.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let nw = 1;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(nw);
    if (op.kind !== '+') o++;
    if (op.kind !== '-') nw++;
  }
  while (i < ops.length) {
    if (ops[i]?.kind === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend while the next change is within 2*context lines of unchanged text.
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== ' ') end++;
      let gap = end;
      while (gap < ops.length && ops[gap]?.kind === ' ') gap++;
      if (gap < ops.length && gap - end <= 2 * context) {
        end = gap;
        continue;
      }
      end = Math.min(ops.length, end + context);
      break;
    }
    while (start < i && ops[start]?.kind !== ' ') start++;
    const slice = ops.slice(start, end);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const oldStart = oldCount === 0 ? (oldAt[start] ?? 1) - 1 : (oldAt[start] ?? 1);
    const newStart = newCount === 0 ? (newAt[start] ?? 1) - 1 : (newAt[start] ?? 1);
    const body = slice
      .map((op) => `${op.kind}${op.line.text}\n${op.line.noEol ? '\\ No newline at end of file\n' : ''}`)
      .join('');
    hunks.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n${body}`);
    i = end;
  }
  return header + hunks.join('');
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** Diffs of several files, concatenated in path order. */
export function unifiedDiffs(changes: readonly FileChange[]): string {
  return [...changes]
    .sort((x, y) => x.path.localeCompare(y.path))
    .map((c) => unifiedDiff(c))
    .join('');
}
