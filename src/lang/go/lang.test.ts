// The Go adapter against real Go: names match what the runtime prints, lookups survive line drift, non-ASCII is exact.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../core/exec.js';
import {
  constructionSites,
  findCallers,
  functionSource,
  type GoNode,
  GoRepo,
  goParser,
  locateFunction,
  nearestNode,
  parseGo,
  resolveTarget,
  splitRuntimeName,
} from './index.js';

const NAMES = join(import.meta.dirname, '../../../test/patch/go/names');
const SHOP = join(import.meta.dirname, '../../../test/patch/go/shop');
let work: string;
let runtimeNames: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medic-lang-'));
  await cp(NAMES, join(work, 'names'), { recursive: true });
  await cp(SHOP, join(work, 'shop'), { recursive: true });
  // -l keeps closures un-inlined so the printed names are the declared ones.
  const result = await run(['go', 'run', '-gcflags=all=-l', '.'], {
    cwd: join(work, 'names'),
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  expect(result.stderr).toBe('');
  runtimeNames = result.stdout.trim().split('\n');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('function names', () => {
  it('match the names the Go runtime prints, for every shape', async () => {
    const repo = new GoRepo(join(work, 'names'));
    const ours = [...(await repo.functions('pkg')), ...(await repo.functions('.'))].map(
      (f) => f.qualifiedName,
    );
    for (const name of runtimeNames) expect(ours).toContain(name);
    expect(ours).toContain('example.com/names/pkg.(*L[...]).Push.func1');
  });

  it('splits runtime names into package and symbol', () => {
    expect(splitRuntimeName('example.com/a.b/pkg.(*T).M.func1')).toEqual({
      packagePath: 'example.com/a.b/pkg',
      symbol: '(*T).M.func1',
    });
    expect(splitRuntimeName('main.main')).toEqual({ packagePath: 'main', symbol: 'main' });
    expect(splitRuntimeName('example.com/m/pkg.Map[...]')).toEqual({
      packagePath: 'example.com/m/pkg',
      symbol: 'Map[...]',
    });
  });
});

describe('locate', () => {
  it('finds by exact name, by name after drift, by line, and closures renamed by inlining', async () => {
    const repo = new GoRepo(join(work, 'names'));
    const exact = await locateFunction(repo, {
      file: 'pkg/p.go',
      line: 31,
      function: 'example.com/names/pkg.(*T).M.func1',
    });
    expect(exact?.fn.symbol).toBe('(*T).M.func1');
    expect(exact?.match).toBe('name+line');
    const drifted = await locateFunction(repo, {
      file: 'pkg/p.go',
      line: 3,
      function: 'example.com/names/pkg.T.V',
    });
    expect(drifted?.fn.symbol).toBe('T.V');
    expect(drifted?.match).toBe('name');
    const byLine = await locateFunction(repo, { file: 'pkg/p.go', line: 33 });
    expect(byLine?.fn.symbol).toBe('(*T).M.func1.2');
    // What an optimised build prints for the closure g inside func1 when func1 is inlined into M.
    const mangled = await locateFunction(repo, {
      file: 'pkg/p.go',
      line: 31,
      function: 'example.com/names/pkg.(*T).M.(*T).M.func1.func3',
    });
    expect(mangled?.fn.symbol).toBe('(*T).M.func1.1');
    expect(mangled?.match).toBe('closure-by-line');
  });

  it('finds a function whose file moved, by its runtime name', async () => {
    const repo = new GoRepo(join(work, 'names'));
    const moved = await locateFunction(repo, {
      file: 'pkg/old.go',
      line: 10,
      function: 'example.com/names/pkg.Map[...]',
    });
    expect(moved?.fn.file).toBe('pkg/p.go');
    expect(
      await locateFunction(repo, { file: 'pkg/p.go', line: 5000, function: 'example.com/names/pkg.Nope' }),
    ).toBeUndefined();
  });

  it('prints function source with line numbers and finds a statement again after drift', async () => {
    const repo = new GoRepo(join(work, 'names'));
    const found = await locateFunction(repo, { function: 'example.com/names/pkg.T.V' });
    expect(found).toBeDefined();
    if (found === undefined) return;
    expect(functionSource(found.file, found.fn)).toMatch(/^\d+ \| func \(t T\) V\(\) \{ record\(\) \}$/);
    const body = found.fn.body;
    if (body === null) throw new Error('V has a body');
    const call = nearestNode(body, found.fn.startLine + 7, (n) => n.type === 'call_expression');
    expect(call?.node.text).toBe('record()');
    expect(call?.distance).toBe(7);
  });
});

describe('non-ASCII source', () => {
  it('uses UTF-16 string positions: node text slices the source exactly', async () => {
    const repo = new GoRepo(join(work, 'names'));
    const fn = (await repo.functions('pkg')).find((f) => f.name === 'Grüße');
    expect(fn?.qualifiedName).toBe('example.com/names/pkg.Grüße');
    const file = await repo.file('pkg/ünï.go');
    const lit = file.source.indexOf('"héllo');
    const node = fn?.body?.namedChildren[0]?.namedChildren[0];
    const str = node?.childForFieldName('right')?.namedChildren[0];
    expect(str?.startIndex).toBe(lit);
    expect(file.source.slice(str?.startIndex, str?.endIndex)).toBe('"héllo, 世界 😀 " + name');
  });

  it('gives the same positions with the WASM fallback', async () => {
    const source = await readFile(join(NAMES, 'pkg/ünï.go'), 'utf8');
    const wasm = await goParser('wasm');
    const native = await parseGo(source);
    const tree = wasm.parser.parse(source);
    const decl = (root: GoNode | undefined) =>
      root?.namedChildren.find((n) => n.type === 'function_declaration');
    const fromWasm = decl(tree?.rootNode)?.childForFieldName('name');
    const fromNative = decl(native.root)?.childForFieldName('name');
    expect(fromWasm?.text).toBe('Grüße');
    expect([fromWasm?.startIndex, fromWasm?.endIndex]).toEqual([
      fromNative?.startIndex,
      fromNative?.endIndex,
    ]);
  });
});

describe('cross-references', () => {
  it('finds callers and handler registrations across packages', async () => {
    const repo = new GoRepo(join(work, 'shop'));
    const add = (await repo.functions('internal/cart')).find((f) => f.symbol === '(*Cart).Add');
    if (add === undefined) throw new Error('Add not found');
    const callers = await findCallers(repo, add);
    expect(callers.map((c) => [c.file, c.function, c.confidence])).toContainEqual([
      'server.go',
      'main.(*server).addItem',
      'method-name',
    ]);
    const handler = (await repo.functions('.')).find((f) => f.symbol === '(*server).addItem');
    if (handler === undefined) throw new Error('addItem not found');
    const refs = await findCallers(repo, handler);
    expect(refs.some((r) => r.function === 'main.newMux')).toBe(true);
    const newCart = (await repo.functions('internal/cart')).find((f) => f.symbol === 'New');
    if (newCart === undefined) throw new Error('New not found');
    expect((await findCallers(repo, newCart)).map((c) => c.confidence)).toContain('exact');
  });

  it('resolves a map field and lists its construction sites', async () => {
    const repo = new GoRepo(join(work, 'shop'));
    const file = await repo.file('internal/cart/cart.go');
    const add = (await repo.functions('internal/cart')).find((f) => f.symbol === '(*Cart).Add');
    const index =
      add?.body === null || add === undefined
        ? undefined
        : nearestNode(add.body, add.startLine, (n) => n.type === 'index_expression');
    const operand = index?.node.childForFieldName('operand');
    if (operand == null) throw new Error('no map write in Add');
    const target = await resolveTarget(repo, file, add, operand);
    expect(target?.kind === 'field' && target.field.type).toBe('map[string]int');
    if (target === undefined) return;
    const sites = await constructionSites(repo, target);
    expect(sites.map((s) => [s.file, s.kind, s.sets])).toContainEqual([
      'internal/cart/cart.go',
      'composite-literal',
      false,
    ]);
  });
});
