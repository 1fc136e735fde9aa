// Field-level checks of parsed failures, on real outputs from the corpus (test/traceback/generate.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Failure, Goroutine } from '../../core/model.js';
import { argsAtLevel } from './buckets.js';
import { bucketGoroutines, parseFailures } from './index.js';

const corpus = join(import.meta.dirname, '../../../test/traceback/corpus');
const SHOP = 'example.com/shop';

function load(file: string, modulePath = SHOP, repoRoot?: string): Failure[] {
  const text = readFileSync(join(corpus, file), 'utf8');
  return parseFailures(text, { artifact: file, modulePath, ...(repoRoot === undefined ? {} : { repoRoot }) });
}

function only(file: string, modulePath = SHOP): Failure {
  const [f, ...rest] = load(file, modulePath);
  expect(rest).toHaveLength(0);
  if (f === undefined) throw new Error(`no failure in ${file}`);
  return f;
}

function goroutine(f: Failure, pred: (g: Goroutine) => boolean): Goroutine {
  const g = f.goroutines.find(pred);
  if (g === undefined) throw new Error('no such goroutine');
  return g;
}

describe('goroutine headers', () => {
  it('reads wait minutes, lock state and the gp=/m= form of a SIGQUIT dump', () => {
    const f = only('sigquit-minutes.txt');
    expect(f.kind).toBe('dump');
    expect(f.signal).toMatchObject({ name: 'SIGQUIT', code: '0' });
    expect(f.signal?.pc).toMatch(/^0x[0-9a-f]+$/);
    expect(f.goroutines.some((g) => g.waitMinutes === 1)).toBe(true);
    const locked = goroutine(f, (g) => g.lockedToThread);
    expect(locked.state).toBe('chan receive');
    expect(f.goroutines.map((g) => g.state)).toEqual(
      expect.arrayContaining([
        'idle',
        'select (no cases)',
        'sync.Mutex.Lock',
        'IO wait',
        'sync.WaitGroup.Wait',
      ]),
    );
    expect(f.crashedGoroutineId).toBeUndefined();
  });

  it('marks a goroutine running elsewhere as stack unavailable and keeps its creator', () => {
    const f = only('all-goroutines-nopreempt.txt');
    const spinning = goroutine(f, (g) => g.stackUnavailable);
    expect(spinning.frames).toEqual([]);
    expect(spinning.createdBy).toMatchObject({ function: 'main.panicAllGoroutines', parentId: 1 });
  });

  it('flags elided frames, inlined frames and `created by` with and without a parent id', () => {
    const f = only('all-goroutines.txt');
    const deep = goroutine(f, (g) => g.framesElided);
    expect(deep.frames.length).toBeGreaterThanOrEqual(50);
    expect(deep.frames[0]?.function).toBe('example.com/shop/internal/worker.Recurse');
    const crashed = goroutine(f, (g) => g.id === f.crashedGoroutineId);
    expect(crashed.frames[0]).toMatchObject({ name: 'Add', receiver: 'Cart', inlined: true, args: '...' });
    const old = load('go1.20.14-deadlock.txt')[0];
    expect(old?.goroutines[1]?.createdBy).toEqual({
      function: 'main.deadlock',
      file: 'example.com/shop/cmd/crasher/main.go',
      line: expect.any(Number),
      parentId: undefined,
    });
  });
});

describe('panics', () => {
  it('reads the signal line of a nil dereference', () => {
    const f = only('nil-deref.txt');
    expect(f.signal).toEqual({
      name: 'SIGSEGV',
      code: '0x1',
      addr: '0x10',
      pc: expect.stringMatching(/^0x/),
    });
    expect(f.panicChain).toEqual([
      {
        value: 'runtime error: invalid memory address or nil pointer dereference',
        recovered: false,
        repanicked: false,
      },
    ]);
  });

  it('reads `[recovered, repanicked]` (Go 1.25+) and the older two-link chain as the same bug', () => {
    const now = only('repanic.txt');
    expect(now.panicChain).toEqual([
      { value: 'assignment to entry in nil map', recovered: true, repanicked: true },
    ]);
    const old = only('go1.24.11-repanic.txt');
    expect(old.panicChain.map((l) => [l.value, l.recovered])).toEqual([
      ['assignment to entry in nil map', true],
      ['assignment to entry in nil map', false],
    ]);
    expect(old.signature).toBe(now.signature);
  });

  it('keeps multi-line panic values whole and turns goexit and broken Error methods into fatal errors', () => {
    expect(only('custom-multiline.txt').message).toBe(
      'validation failed:\n  - name is empty\n  - price is negative',
    );
    expect(only('goexit.txt')).toMatchObject({ kind: 'fatal', class: 'deadlock', goroutines: [] });
    expect(only('panic-in-defer.txt').panicChain.map((l) => l.value)).toEqual([
      'first panic',
      'second panic in defer',
    ]);
  });

  it('reads the runtime stack section and the preface of a stack overflow', () => {
    const f = only('stack-overflow.txt');
    expect(f.source.startLine).toBe(1);
    expect(f.runtimeStack?.map((x) => x.function)).toContain('runtime.newstack');
    expect(f.goroutines[0]?.framesElided).toBe(true);
  });
});

describe('race reports', () => {
  it('reads both accesses, the creating goroutine and the racers', () => {
    const f = only('race.txt');
    const race = f.races[0];
    expect(race?.accesses.map((a) => [a.kind, a.previous, a.goroutineId])).toEqual([
      ['read', false, 8],
      ['write', true, 1],
    ]);
    expect(race?.accesses[0]?.address).toMatch(/^0x[0-9a-f]+$/);
    expect(race?.goroutines).toEqual([{ id: 8, status: 'running', createdAt: expect.any(Array) }]);
    expect(f.crashedGoroutineId).toBe(8);
    expect(f.goroutines.map((g) => g.id)).toEqual([8, 1]);
    expect(f.message).toBe('data race: read by goroutine 8, previous write by goroutine 1');
  });
});

describe('frames', () => {
  it('maps absolute paths into the repository with repoRoot, or learns the root from package paths', () => {
    const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as Array<{
      file: string;
      repoRoot?: string;
    }>;
    const root = manifest.find((m) => m.file === 'abs-nil-map-write.txt')?.repoRoot;
    for (const f of [load('abs-nil-map-write.txt', SHOP, root), load('abs-nil-map-write.txt')]) {
      const frames = f[0]?.goroutines[0]?.frames ?? [];
      expect(frames.map((x) => x.repoFile)).toEqual([
        'internal/cart/cart.go',
        'cmd/crasher/main.go',
        'cmd/crasher/main.go',
      ]);
      expect(frames[0]?.file.startsWith('/')).toBe(true);
    }
  });

  it('classifies module-cache and vendored code as dependency, GOROOT as stdlib and runtime', () => {
    for (const file of ['logs-logrus-hook.txt', 'logs-vendor-logrus-hook.txt']) {
      const frames = only(file, 'example.com/logs').goroutines[0]?.frames ?? [];
      const fire = frames.find((x) => x.function === 'github.com/sirupsen/logrus.LevelHooks.Fire');
      expect(fire).toMatchObject({ kind: 'dependency', receiver: 'LevelHooks', name: 'Fire' });
      expect(fire?.repoFile).toBeUndefined();
      expect(frames[0]).toMatchObject({ kind: 'application', receiver: 'auditHook', name: 'Fire' });
    }
    const deadlock = only('deadlock.txt');
    const kinds = new Map(deadlock.goroutines.flatMap((g) => g.frames).map((x) => [x.package, x.kind]));
    expect(kinds.get('sync')).toBe('stdlib');
    expect(kinds.get('internal/sync')).toBe('stdlib');
    expect(kinds.get('main')).toBe('application');
  });

  it('parses generic receivers', () => {
    const f = only('generic-pop.txt');
    expect(f.goroutines[0]?.frames[0]).toMatchObject({
      receiver: 'stack[...]',
      name: 'pop',
      package: 'main',
    });
  });
});

describe('streams with several failures', () => {
  it('reads net/http recovered panics between log lines, then the crash', () => {
    const fs = load('http-panic-serving.txt');
    expect(fs.map((f) => [f.class, f.recovered ?? false])).toEqual([
      ['nil-map-write', true],
      ['index-range', true],
      ['nil-deref', false],
    ]);
    expect(fs[1]?.message).toBe('runtime error: index out of range [5] with length 0');
  });
});

describe('buckets', () => {
  it('groups alike goroutines at each level, fewer groups as the level loosens', () => {
    const f = only('pool.txt');
    const exact = bucketGoroutines(f.goroutines, 'exact');
    const anyPointer = bucketGoroutines(f.goroutines, 'any-pointer');
    const anyValue = bucketGoroutines(f.goroutines, 'any-value');
    expect(anyPointer.map((b) => b.ids.length)).toEqual([20, 10, 1]);
    expect(exact.length).toBeGreaterThan(anyPointer.length);
    expect(anyValue.length).toBeLessThanOrEqual(anyPointer.length);
    expect(f.buckets).toEqual(anyPointer);
    expect(anyPointer[0]?.frames[0]?.function).toBe('example.com/shop/internal/worker.Serve');
  });

  it('ignores pointer-like and stale values at any-pointer, nothing at exact, everything at any-value', () => {
    const args = '0xc000012345, 0x0?, 0x12, 0x80000, 0x7ffff, 0xABCDEF, {0x1, 0x2}, 0x';
    expect(argsAtLevel(args, 'any-pointer')).toBe('*, *, 0x12, *, 0x7ffff, *, {0x1, 0x2}, 0x');
    expect(argsAtLevel(args, 'exact')).toBe(args);
    expect(argsAtLevel(args, 'any-value')).toBeUndefined();
    expect(argsAtLevel(undefined, 'exact')).toBeUndefined();
  });
});

describe('formats this machine cannot produce', () => {
  // A Windows build prints drive-letter paths; Go for Windows cannot run here, so this sample is
  // minimal and hand-made in that shape (frames from `go build` without -trimpath on Windows).
  const windows = [
    'panic: assignment to entry in nil map',
    '',
    'goroutine 1 [running]:',
    'example.com/shop/internal/cart.(*Cart).Add(...)',
    '\tC:/Users/dev/src/shop/internal/cart/cart.go:20',
    'main.main()',
    '\tC:/Users/dev/src/shop/cmd/server/main.go:12 +0x58',
    '',
  ].join('\r\n');

  it('maps Windows paths with CRLF line ends into the repository', () => {
    for (const repoRoot of ['C:\\Users\\dev\\src\\shop', undefined]) {
      const [f] = parseFailures(windows, {
        modulePath: SHOP,
        ...(repoRoot === undefined ? {} : { repoRoot }),
      });
      expect(f?.goroutines[0]?.frames.map((x) => [x.file, x.line, x.repoFile])).toEqual([
        ['C:/Users/dev/src/shop/internal/cart/cart.go', 20, 'internal/cart/cart.go'],
        ['C:/Users/dev/src/shop/cmd/server/main.go', 12, 'cmd/server/main.go'],
      ]);
    }
  });
});
