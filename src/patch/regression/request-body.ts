/** Parameters decoded from what the incident recorded: the JSON request body, or a batch input read by the package's own parser. */
import { descendantsOfType } from '../../lang/go/index.js';
import { zeroValue } from '../go/returns.js';
import { type BuildContext, fresh, goText } from './context.js';

/**
 * A slice or struct of the package's own types decoded from the recorded JSON request body
 * (the batch a handler would have decoded): the array for `[]T`, the object for `T` and `*T`.
 */
export async function fromRequestBody(
  ctx: BuildContext,
  name: string,
  type: string,
): Promise<string | undefined> {
  const body = ctx.harvest.request?.body;
  const element = /^(\[\])?\*?([A-Z]\w*)$/.exec(type);
  if (body === undefined || body.length > 65_536 || element === null) return undefined;
  if ((await zeroValue(ctx.repo, ctx.dir, element[2] as string)) !== `${element[2]}{}`) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const fragment = element[1] === undefined ? (isObject(parsed) ? parsed : undefined) : firstArray(parsed);
  if (fragment === undefined) return undefined;
  // Only when the JSON names the type's fields: a body is not any struct's encoding.
  const sample = Array.isArray(fragment) ? fragment[0] : fragment;
  const keys = isObject(sample) ? Object.keys(sample).map((k) => k.toLowerCase()) : [];
  const names = await jsonFieldNames(ctx, element[2] as string);
  if (!keys.some((k) => names.has(k))) return undefined;
  const v = fresh(ctx, name === '' || name === '_' ? 'value' : name);
  ctx.imports.add('encoding/json');
  ctx.setup.push(
    `var ${v} ${type}`,
    `if err := json.Unmarshal([]byte(${goText(JSON.stringify(fragment))}), &${v}); err != nil {`,
    '\tt.Fatal(err)',
    '}',
  );
  ctx.notes.push(`${name || type}: decoded from the recorded request body`);
  return v;
}

/** Lower-cased names encoding/json would match for a struct of the package: json tags and exported field names. */
async function jsonFieldNames(ctx: BuildContext, typeName: string): Promise<Set<string>> {
  const names = new Set<string>();
  const pkg = await ctx.repo.package(ctx.dir);
  for (const path of pkg?.files ?? []) {
    const file = await ctx.repo.file(path);
    const spec = descendantsOfType(file.root, 'type_spec').find(
      (t) => t.childForFieldName('name')?.text === typeName,
    );
    const struct = spec?.childForFieldName('type');
    if (struct?.type !== 'struct_type') continue;
    for (const field of descendantsOfType(struct, 'field_declaration')) {
      const tag = /json:"([^",]*)/.exec(field.childForFieldName('tag')?.text ?? '')?.[1];
      if (tag !== undefined && tag !== '' && tag !== '-') names.add(tag.toLowerCase());
      for (const id of field.namedChildren.filter((n) => n.type === 'field_identifier')) {
        if (/^[A-Z]/.test(id.text) && tag === undefined) names.add(id.text.toLowerCase());
      }
    }
  }
  return names;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body if it is an array, else the first array-valued property, breadth first. */
function firstArray(v: unknown): unknown[] | undefined {
  const queue: unknown[] = [v];
  while (queue.length > 0) {
    const next = queue.shift();
    if (Array.isArray(next)) return next;
    if (isObject(next)) queue.push(...Object.values(next));
  }
  return undefined;
}

/**
 * A parameter of type T read from the recorded batch input by a function of the package that
 * parses it (`ParseEntries(io.Reader) ([]Entry, error)`, or from `[]byte` or `string`).
 */
export async function fromRecordedInput(
  ctx: BuildContext,
  name: string,
  type: string,
): Promise<string | undefined> {
  const input = ctx.harvest.inputs[0];
  if (input === undefined || input.content.length > 1_000_000) return undefined;
  const parsers = (await ctx.repo.functions(ctx.dir)).filter(
    (f) =>
      f.kind === 'function' &&
      f.typeParams.length === 0 &&
      f.params.length === 1 &&
      ['io.Reader', '[]byte', 'string'].includes(f.params[0]?.type ?? '') &&
      f.results[0]?.type === type &&
      (f.results.length === 1 || (f.results.length === 2 && f.results[1]?.type === 'error')),
  );
  const parser = parsers[0];
  if (parser === undefined) return undefined;
  const param = parser.params[0]?.type;
  const text = goText(input.content);
  const arg =
    param === 'io.Reader' ? `strings.NewReader(${text})` : param === '[]byte' ? `[]byte(${text})` : text;
  if (param === 'io.Reader') ctx.imports.add('strings');
  const v = fresh(ctx, name === '' || name === '_' ? 'value' : name);
  if (parser.results.length === 2) {
    ctx.setup.push(`${v}, err := ${parser.name}(${arg})`, 'if err != nil {', '\tt.Fatal(err)', '}');
  } else {
    ctx.setup.push(`${v} := ${parser.name}(${arg})`);
  }
  ctx.notes.push(`${name || type}: ${input.name} of the recorded run, read by ${parser.name}`);
  return v;
}
