/**
 * Regression tests for failures without a panic, as shapes around a direct call: a deadlock
 * watchdog, a goroutine count after repeated calls, and a count of what the package still holds
 * (through a counter method of the receiver or of one of its fields) after repeated calls.
 */
import type { FailureClass } from '../../core/model.js';
import { descendantsOfType, dirOf, findField, type GoFunction, type GoRepo } from '../../lang/go/index.js';
import type { BuildContext } from './context.js';
import type { CallShape } from './direct.js';
import {
  DEADLOCK_IMPORTS,
  deadlockWatch,
  goroutineLeakWatch,
  retainedWatch,
  WATCH_IMPORTS,
} from './watch.js';

/** How many times a leak test calls the entry: enough that a leak (one per call) stands out from noise. */
export const CALLS = 20;

/** Methods that say how much a package still holds. */
const COUNTER =
  /^(Len|Count|Size|Open[A-Z]\w*|Pending\w*|Active\w*|InFlight\w*|Num[A-Z]\w*|Outstanding\w*|Held\w*|Live\w*)$/;
const INT = /^u?int(8|16|32|64)?$/;

export type Watch = 'deadlock' | 'goroutine-leak' | 'heap-leak';

export function watchFor(cls: FailureClass): Watch | undefined {
  return cls === 'deadlock' || cls === 'goroutine-leak' || cls === 'heap-leak' ? cls : undefined;
}

/** What the failing run of a watching test prints: the test's own failure line. */
export function watchText(watch: Watch): string {
  return watch === 'deadlock'
    ? 'all goroutines are asleep - deadlock!'
    : watch === 'goroutine-leak'
      ? 'goroutine leak'
      : 'memory leak';
}

const counterOf = (f: GoFunction): boolean =>
  f.kind === 'method' &&
  f.params.length === 0 &&
  f.results.length === 1 &&
  INT.test(f.results[0]?.type ?? '') &&
  COUNTER.test(f.name);

/** `s.OpenHolds()` or `s.holds.Len()`: an expression counting what the receiver's package holds. */
async function counter(repo: GoRepo, fn: GoFunction, recv: string): Promise<string | undefined> {
  const type = fn.receiver?.type;
  if (type === undefined || recv === '') return undefined;
  const dir = dirOf(fn.file);
  const own = (await repo.functions(dir)).find((f) => f.receiver?.type === type && counterOf(f));
  if (own !== undefined) return `${recv}.${own.name}()`;
  // A field holding another package's registry: its counter, read through the field.
  const pkg = await repo.package(dir);
  const module =
    pkg === undefined
      ? ''
      : pkg.importPath.slice(0, pkg.importPath.length - (dir === '.' ? 0 : dir.length + 1));
  for (const path of pkg?.files ?? []) {
    const file = await repo.file(path);
    const spec = descendantsOfType(file.root, 'type_spec').find(
      (s) => s.childForFieldName('name')?.text === type,
    );
    const struct = spec?.childForFieldName('type');
    if (struct?.type !== 'struct_type') continue;
    for (const decl of descendantsOfType(struct, 'field_declaration')) {
      const name = decl.namedChildren.find((n) => n.type === 'field_identifier')?.text;
      const field = name === undefined ? undefined : await findField(repo, dir, type, name);
      const m = /^\*?(?:(\w+)\.)?(\w+)$/.exec(field?.type ?? '');
      if (m === null || name === undefined) continue;
      const alias = m[1];
      const imported = descendantsOfType(file.root, 'import_spec')
        .map((s) => s.childForFieldName('path')?.text.slice(1, -1) ?? '')
        .find((p) => alias !== undefined && p.split('/').pop() === alias && p.startsWith(`${module}/`));
      const fieldDir = alias === undefined ? dir : imported?.slice(module.length + 1);
      if (fieldDir === undefined) continue;
      const method = (await repo.functions(fieldDir)).find((f) => f.receiver?.type === m[2] && counterOf(f));
      if (method !== undefined) return `${recv}.${name}.${method.name}()`;
    }
  }
  return undefined;
}

export function shapeFor(watch: Watch, repo: GoRepo): CallShape {
  return async (call, { ctx, fn, recv }) => {
    const entry = fn.symbol;
    if (watch === 'heap-leak') {
      const count = await counter(repo, fn, recv);
      if (count === undefined) return undefined;
      return {
        lines: retainedWatch(call, CALLS, count, entry),
        how: `calls ${entry} ${CALLS} times as the incident did and checks that ${count} does not grow with each call`,
        kind: 'retained-count',
      };
    }
    addImports(ctx, WATCH_IMPORTS);
    if (watch === 'deadlock') {
      addImports(ctx, DEADLOCK_IMPORTS);
      return {
        lines: deadlockWatch(call, entry),
        how: `runs ${entry} as the incident did and fails when every goroutine it started is blocked for good`,
        kind: 'deadlock-watch',
      };
    }
    return {
      lines: goroutineLeakWatch(call, CALLS, entry),
      how: `calls ${entry} ${CALLS} times as the incident did and counts the goroutines left blocked once everything settled`,
      kind: 'goroutine-count',
    };
  };
}

function addImports(ctx: BuildContext, paths: readonly string[]): void {
  for (const p of paths) ctx.imports.add(p);
}
