/** Early returns for guards: the function's zero values, plus an error where the function returns one. */
import { descendantsOfType, dirOf, type GoFunction, type GoRepo } from '../../lang/go/index.js';

const NUMERIC = /^(u?int(8|16|32|64)?|uintptr|byte|rune|float(32|64)|complex(64|128))$/;
const NILABLE = /^(\*|\[\]|map\[|chan\b|<-\s*chan\b|func\s*\(|interface\s*\{|any$|error$)/;

/** Zero value of a type as written, using the package's type declarations for named types. */
export async function zeroValue(
  repo: GoRepo,
  dir: string,
  type: string,
  typeParams: readonly string[] = [],
): Promise<string> {
  const t = type.trim();
  if (NUMERIC.test(t)) return '0';
  if (t === 'string') return '""';
  if (t === 'bool') return 'false';
  if (NILABLE.test(t)) return 'nil';
  if (/^\[[^\]]+\]/.test(t) || t.startsWith('struct')) return `${t}{}`;
  if (/^[A-Za-z_]\w*$/.test(t) && !typeParams.includes(t)) {
    const underlying = await localTypeUnderlying(repo, dir, t);
    if (underlying?.startsWith('struct')) return `${t}{}`;
    if (underlying !== undefined && (underlying.startsWith('interface') || NILABLE.test(underlying)))
      return 'nil';
    if (underlying !== undefined && !/^[A-Za-z_][\w.]*$/.test(underlying)) return `${t}{}`;
    if (underlying !== undefined) return zeroValue(repo, dir, underlying);
  }
  // Type parameters and types from other packages: `*new(T)` is the zero value of any type.
  return `*new(${t})`;
}

/** A named type of the package resolved to its underlying type as written (`Index` → `map[string]int`). */
export async function underlyingType(repo: GoRepo, dir: string, type: string): Promise<string> {
  let current = type.trim();
  for (let depth = 0; depth < 8 && /^[A-Za-z_]\w*(\[.*\])?$/.test(current); depth++) {
    const next = await localTypeUnderlying(repo, dir, current.replace(/\[.*\]$/, ''));
    if (next === undefined) break;
    current = next;
  }
  return current;
}

async function localTypeUnderlying(repo: GoRepo, dir: string, name: string): Promise<string | undefined> {
  const pkg = await repo.package(dir);
  for (const path of pkg?.files ?? []) {
    const file = await repo.file(path);
    for (const spec of descendantsOfType(file.root, ['type_spec', 'type_alias'])) {
      if (spec.childForFieldName('name')?.text === name) return spec.childForFieldName('type')?.text;
    }
  }
  return undefined;
}

export interface EarlyReturn {
  /** The statement, e.g. `return Reservation{}, errors.New("...")`. */
  code: string;
  /** Imports the statement needs. */
  imports: string[];
}

/** `return <zero values>` with `errors.New(message)` in the error slot (if any). */
export async function earlyReturn(repo: GoRepo, fn: GoFunction, message: string): Promise<EarlyReturn> {
  if (fn.results.length === 0) return { code: 'return', imports: [] };
  const dir = dirOf(fn.file);
  const typeParams = [...fn.typeParams, ...(fn.receiver?.typeParams ?? [])];
  const values: string[] = [];
  let imports: string[] = [];
  for (const result of fn.results) {
    if (result.type === 'error') {
      values.push(`errors.New(${JSON.stringify(message)})`);
      imports = ['errors'];
    } else {
      values.push(await zeroValue(repo, dir, result.type, typeParams));
    }
  }
  return { code: `return ${values.join(', ')}`, imports };
}

/** The function returns an error in some result slot. */
export function returnsError(fn: GoFunction): boolean {
  return fn.results.some((r) => r.type === 'error');
}

/**
 * The body of a guard that gives up: an HTTP handler answers 500 with the message (the client
 * sees a failure instead of a dropped connection); other functions return early.
 */
export async function bailOut(repo: GoRepo, fn: GoFunction, message: string): Promise<EarlyReturn> {
  const writer = fn.params.find((p) => p.type === 'http.ResponseWriter' && p.name !== '' && p.name !== '_');
  if (writer !== undefined && fn.results.length === 0) {
    return {
      code: `http.Error(${writer.name}, ${JSON.stringify(message)}, http.StatusInternalServerError)\nreturn`,
      imports: ['net/http'],
    };
  }
  return earlyReturn(repo, fn, message);
}

/** `if <condition> {\n\t<bail out>\n}` for insertion before a statement. */
export async function guard(
  repo: GoRepo,
  fn: GoFunction,
  condition: string,
  message: string,
): Promise<EarlyReturn> {
  const body = await bailOut(repo, fn, message);
  return {
    code: `if ${condition} {\n${body.code
      .split('\n')
      .map((l) => `\t${l}`)
      .join('\n')}\n}`,
    imports: body.imports,
  };
}
