/**
 * Production set-up copied into a regression test: the expression production passes to a
 * constructor, with the local variables it reads (declared again in the test, with the method
 * calls production makes on them before the constructor), flags read at the value the incident's
 * run passed (else their default), and package qualifiers rewritten for the test's package.
 * Anything that cannot be copied faithfully (package main's own functions, closures, import
 * cycles) makes the copy fail, and the caller falls back to built values.
 */
import { descendantsOfType, findVariable, type GoFile, type GoNode, walk } from '../../lang/go/index.js';
import { CONVERSIONS } from '../ops/common.js';
import { type BuildContext, fresh, goString } from './context.js';

const BUILTINS: ReadonlySet<string> = new Set([
  ...CONVERSIONS,
  'true',
  'false',
  'nil',
  'iota',
  'len',
  'cap',
  'make',
  'new',
  'append',
  'min',
  'max',
  'any',
  'bool',
  'error',
]);
const FLAG = /^(String|Int|Int64|Uint|Uint64|Float64|Bool|Duration)$/;
const FATAL = /^(log\.(Fatal|Fatalf|Fatalln|Panic|Panicf)|panic|os\.Exit)$/;

/** A package of the repository as the test sees it. */
interface Pkg {
  importPath: string;
  name: string;
}

async function packageOfFile(ctx: BuildContext, path: string): Promise<Pkg | undefined> {
  const pkg = await ctx.repo.packageOfFile(path);
  return pkg === undefined ? undefined : { importPath: pkg.importPath, name: pkg.name };
}

/** Whether the repository package `from` imports `target`, directly or through other repository packages. */
async function reaches(
  ctx: BuildContext,
  from: string,
  target: string,
  seen = new Set<string>(),
): Promise<boolean> {
  if (from === target) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  const self = await ctx.repo.package(ctx.dir);
  if (self === undefined) return false;
  const module = self.importPath.slice(
    0,
    self.importPath.length - (self.dir === '.' ? 0 : self.dir.length + 1),
  );
  if (from !== module && !from.startsWith(`${module}/`)) return false;
  const pkg = await ctx.repo.package(from === module ? '.' : from.slice(module.length + 1));
  for (const path of pkg?.files ?? []) {
    if (path.endsWith('_test.go')) continue;
    const file = await ctx.repo.file(path);
    for (const spec of descendantsOfType(file.root, 'import_spec')) {
      const imported = spec.childForFieldName('path')?.text.slice(1, -1) ?? '';
      if (await reaches(ctx, imported, target, seen)) return true;
    }
  }
  return false;
}

/** The value the recorded run gave flag `name` (`-name v`, `--name=v`), when it gave one. */
function recordedFlag(args: readonly string[], name: string): string | undefined {
  for (const [i, a] of args.entries()) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (m?.[1] !== name) continue;
    return m[2] ?? args[i + 1];
  }
  return undefined;
}

/** A Go expression for a recorded flag value of the given flag kind. */
function flagLiteral(kind: string, value: string): string | undefined {
  if (kind === 'String') return goString(value);
  if (kind === 'Bool') return value === 'true' || value === 'false' ? value : undefined;
  if (kind === 'Duration') {
    const m = /^(\d+)(ns|us|µs|ms|s|m|h)$/.exec(value);
    const unit = {
      ns: 'Nanosecond',
      us: 'Microsecond',
      µs: 'Microsecond',
      ms: 'Millisecond',
      s: 'Second',
      m: 'Minute',
      h: 'Hour',
    };
    return m === null ? undefined : `${m[1]} * time.${unit[m[2] as keyof typeof unit]}`;
  }
  return /^-?\d+(\.\d+)?$/.test(value) ? value : undefined;
}

export class ProductionCopy {
  private readonly declared = new Map<number, string>();

  constructor(
    private readonly ctx: BuildContext,
    private readonly test: Pkg,
  ) {}

  /** `expr` of production file `path`, rewritten for the test, or undefined when it cannot be copied. */
  async copy(path: string, expr: GoNode, depth = 0): Promise<string | undefined> {
    if (depth > 4) return undefined;
    const file = await this.ctx.repo.file(path);
    const home = await packageOfFile(this.ctx, path);
    if (home === undefined) return undefined;
    const fn = (await this.ctx.repo.functionsOfFile(path))
      .filter((f) => f.node.startIndex <= expr.startIndex && expr.endIndex <= f.node.endIndex)
      .sort((a, b) => b.node.startIndex - a.node.startIndex)[0];
    const aliases = new Map(
      descendantsOfType(file.root, 'import_spec').map((s) => {
        const p = s.childForFieldName('path')?.text.slice(1, -1) ?? '';
        return [s.childForFieldName('name')?.text ?? p.split('/').pop() ?? '', p] as const;
      }),
    );
    const edits: { start: number; end: number; text: string }[] = [];
    let ok = true;
    // Collected first, run in order: a variable's declaration must precede the statements that use it.
    const jobs: (() => Promise<void>)[] = [];
    const replace = (n: { startIndex: number }, end: number, produce: () => Promise<string | undefined>) =>
      jobs.push(async () => {
        const text = ok ? await produce() : undefined;
        if (text === undefined) ok = false;
        else edits.push({ start: n.startIndex, end, text });
      });
    walk(expr, (n) => {
      if (!ok) return false;
      if (n.type === 'func_literal') ok = false;
      else if (
        n.type === 'unary_expression' &&
        n.children[0]?.type === '*' &&
        n.namedChildren[0]?.type === 'identifier'
      ) {
        const id = n.namedChildren[0];
        replace(n, n.endIndex, () => this.flagValue(file, fn, id, depth));
        return false;
      } else if (
        (n.type === 'package_identifier' || n.type === 'identifier') &&
        aliases.has(n.text) &&
        isQualifier(n)
      ) {
        const next = n.parent?.childForFieldName('field') ?? n.parent?.childForFieldName('name');
        replace(n, next?.startIndex ?? n.endIndex, () =>
          this.qualifier(aliases.get(n.text) as string, n.text),
        );
      } else if (n.type === 'identifier' && !BUILTINS.has(n.text) && !isKey(n) && !isQualifier(n)) {
        replace(n, n.endIndex, () => this.variable(file, fn, n, depth));
      } else if (
        n.type === 'type_identifier' &&
        n.parent?.type !== 'qualified_type' &&
        home.importPath !== this.test.importPath
      ) {
        ok = false;
      }
      return true;
    });
    for (const job of jobs) await job();
    if (!ok) return undefined;
    let out = '';
    let at = expr.startIndex;
    for (const e of edits.sort((a, b) => a.start - b.start)) {
      out += file.source.slice(at, e.start) + e.text;
      at = e.end;
    }
    return out + file.source.slice(at, expr.endIndex);
  }

  /** `pkg.` for an import of production code in the test: nothing for the test's own package. */
  private async qualifier(importPath: string, alias: string): Promise<string | undefined> {
    if (importPath === this.test.importPath) return '';
    if (importPath.includes('.') && (await reaches(this.ctx, importPath, this.test.importPath)))
      return undefined;
    this.ctx.imports.add(importPath.split('/').pop() === alias ? importPath : `${alias} "${importPath}"`);
    return `${alias}.`;
  }

  /** A flag variable read as `*name`: the recorded run's value, else the flag's default. */
  private async flagValue(file: GoFile, fn: Parameters<typeof findVariable>[2], id: GoNode, depth: number) {
    const decl = await findVariable(this.ctx.repo, file, fn, id.text, id.startIndex);
    const value =
      decl?.decl.type === 'short_var_declaration'
        ? decl.decl.childForFieldName('right')?.namedChildren[0]
        : undefined;
    const callee = value?.type === 'call_expression' ? value.childForFieldName('function') : undefined;
    const kind = callee?.childForFieldName('field')?.text ?? '';
    if (callee?.childForFieldName('operand')?.text !== 'flag' || !FLAG.test(kind)) return undefined;
    const [name, def] = value?.childForFieldName('arguments')?.namedChildren ?? [];
    if (name?.type !== 'interpreted_string_literal' || def === undefined) return undefined;
    const recorded = recordedFlag(this.ctx.harvest.runArgs, name.text.slice(1, -1));
    const literal = recorded === undefined ? undefined : flagLiteral(kind, recorded);
    if (literal !== undefined) {
      if (kind === 'Duration') this.ctx.imports.add('time');
      this.ctx.notes.push(`-${name.text.slice(1, -1)} is ${recorded}, as in the recorded run`);
      return literal;
    }
    return this.copy(file.path, def, depth + 1);
  }

  /** A local of the production function, declared again in the test (once) with the calls made on it before use. */
  private async variable(file: GoFile, fn: Parameters<typeof findVariable>[2], id: GoNode, depth: number) {
    const decl = await findVariable(this.ctx.repo, file, fn, id.text, id.startIndex);
    if (decl === undefined || decl.scope === 'package') {
      // Same-package names resolve in the test when production code is the test's own package.
      const home = await packageOfFile(this.ctx, file.path);
      return home?.importPath === this.test.importPath ? id.text : undefined;
    }
    if (decl.scope !== 'local' || decl.decl.type !== 'short_var_declaration') return undefined;
    const known = this.declared.get(decl.decl.id);
    if (known !== undefined) return known;
    const names = decl.decl.childForFieldName('left')?.namedChildren ?? [];
    const values = decl.decl.childForFieldName('right')?.namedChildren ?? [];
    if (names.length !== 1 || values.length !== 1) return undefined;
    const copied = await this.copy(file.path, values[0] as GoNode, depth + 1);
    if (copied === undefined) return undefined;
    const name = fresh(this.ctx, id.text);
    this.declared.set(decl.decl.id, name);
    this.ctx.setup.push(`${name} := ${copied}`);
    this.ctx.notes.push(`${id.text} is built as at ${file.path}:${decl.decl.startPosition.row + 1}`);
    await this.followUps(file, decl.decl, id.text, name, depth);
    return name;
  }

  /** Calls production makes on the new variable right after declaring it (`inv.Reserve(...)`), fatal checks made test failures. */
  private async followUps(
    file: GoFile,
    decl: GoNode,
    original: string,
    name: string,
    depth: number,
  ): Promise<void> {
    const siblings = decl.parent?.namedChildren ?? [];
    for (const stmt of siblings.slice(siblings.findIndex((s) => s.id === decl.id) + 1)) {
      const call =
        stmt.type === 'expression_statement'
          ? stmt.namedChildren[0]
          : stmt.type === 'if_statement'
            ? stmt.childForFieldName('initializer')?.childForFieldName('right')?.namedChildren[0]
            : undefined;
      const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : undefined;
      if (callee?.type !== 'selector_expression' || callee.childForFieldName('operand')?.text !== original)
        continue;
      const args = await this.copy(file.path, call?.childForFieldName('arguments') as GoNode, depth + 1);
      if (args === undefined) continue;
      const method = callee.childForFieldName('field')?.text ?? '';
      if (stmt.type === 'expression_statement') {
        this.ctx.setup.push(`${name}.${method}${args}`);
        continue;
      }
      const init = stmt.childForFieldName('initializer');
      const cond = stmt.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
      const body =
        stmt
          .childForFieldName('consequence')
          ?.namedChildren.flatMap((n) => (n.type === 'statement_list' ? n.namedChildren : [n])) ?? [];
      const fatal =
        body.length === 1 && FATAL.test(body[0]?.namedChildren[0]?.childForFieldName('function')?.text ?? '');
      const left = init?.childForFieldName('left')?.text;
      if (
        !fatal ||
        left === undefined ||
        !/^(\w+,\s*)?err$/.test(left) ||
        cond !== 'err!=nil' ||
        stmt.childForFieldName('alternative') !== null
      )
        continue;
      this.ctx.setup.push(`if ${left} := ${name}.${method}${args}; err != nil {`, '\tt.Fatal(err)', '}');
    }
  }
}

/** `pkg` in `pkg.Name`. */
function isQualifier(n: GoNode): boolean {
  return (
    n.type === 'package_identifier' ||
    (n.parent?.type === 'selector_expression' && n.parent.childForFieldName('operand')?.id === n.id)
  );
}

/** `Latency` in `SlowProvider{Latency: x}`. */
function isKey(n: GoNode): boolean {
  const element = n.parent?.type === 'literal_element' ? n.parent : undefined;
  return element?.parent?.type === 'keyed_element' && element.parent.namedChildren[0]?.id === element.id;
}

/** A copier for tests written in the package of `ctx.dir`. */
export async function productionCopier(ctx: BuildContext): Promise<ProductionCopy | undefined> {
  const pkg = await ctx.repo.package(ctx.dir);
  return pkg === undefined
    ? undefined
    : new ProductionCopy(ctx, { importPath: pkg.importPath, name: pkg.name });
}
