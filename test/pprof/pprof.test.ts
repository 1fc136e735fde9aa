// pprof ingest on real profiles from test/pprof/profgen: every kind, agreement with `go tool pprof`
// and with pprof-format, growth between two profiles, and a typed error for every kind of bad input.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import type { FlameNode, ProfileKind } from '../../src/core/model.js';
import { decodeProfile } from '../../src/ingest/pprof/decode.js';
import { computeFeatures } from '../../src/ingest/pprof/features.js';
import { flameTree } from '../../src/ingest/pprof/flame.js';
import { computeGrowth } from '../../src/ingest/pprof/growth.js';
import { resolveKind, valueIndex } from '../../src/ingest/pprof/kind.js';
import { loadRepoFiles, type RepoFiles } from '../../src/ingest/repo-files.js';
import { buildProfgen, PROFGEN_DIR, type Profgen } from './profgen.js';

let gen: Profgen;
let kindsDir: string;
let heapLeakDir: string;
let goroutineLeakDir: string;
let repo: RepoFiles;

beforeAll(async () => {
  gen = await buildProfgen();
  const [kinds, heap, goroutine] = await Promise.all([
    gen.produce('kinds'),
    gen.produce('heap-leak'),
    gen.produce('goroutine-leak'),
  ]);
  kindsDir = kinds.dir;
  heapLeakDir = heap.dir;
  goroutineLeakDir = goroutine.dir;
  repo = await loadRepoFiles(PROFGEN_DIR, 'example.com/profgen');
});

afterAll(() => gen?.cleanup());

const load = async (dir: string, name: string) => decodeProfile(await readFile(join(dir, name)), name);

const KINDS: [ProfileKind, string, string][] = [
  ['cpu', 'cpu.pb.gz', 'cpu'],
  ['heap', 'heap.pb.gz', 'inuse_space'],
  ['allocs', 'allocs.pb.gz', 'alloc_space'],
  ['goroutine', 'goroutine.pb.gz', 'goroutine'],
  ['mutex', 'mutex.pb.gz', 'delay'],
  ['block', 'block.pb.gz', 'delay'],
  ['threadcreate', 'threadcreate.pb.gz', 'threadcreate'],
];

describe('profile kinds', () => {
  it.each(KINDS)('reads a %s profile (%s) and ranks it by %s', async (kind, file, valueType) => {
    const t = await load(kindsDir, file);
    expect(resolveKind(t, kind, file)).toBe(kind);
    const f = computeFeatures(t, { kind, artifact: file, repoFileOf: repo.repoFileOf });
    expect(f.valueType.type).toBe(valueType);
    expect(f.total).toBeGreaterThan(0);
    expect(f.entropy).toBeGreaterThanOrEqual(0);
    expect(f.entropy).toBeLessThanOrEqual(1);
    expect(f.takenAt).toMatch(/^\d{4}-/);
  });

  it('names the workload each kind measures as its hottest application function', async () => {
    const hottest = async (kind: ProfileKind, file: string) => {
      const t = await load(kindsDir, file);
      const f = computeFeatures(t, { kind, artifact: file, repoFileOf: repo.repoFileOf });
      return f.topApplication?.[0];
    };
    expect(await hottest('cpu', 'cpu.pb.gz')).toMatchObject({
      function: 'example.com/profgen/work.Hot',
      repoFile: 'work/work.go',
    });
    expect((await hottest('heap', 'heap.pb.gz'))?.function).toBe('example.com/profgen/work.Allocate');
    expect((await hottest('mutex', 'mutex.pb.gz'))?.function).toBe('example.com/profgen/work.Contend.func1');
    const block = await hottest('block', 'block.pb.gz');
    expect([
      'example.com/profgen/work.Contend.func1',
      'example.com/profgen/work.Block.func1',
      'example.com/profgen/work.Contend',
    ]).toContain(block?.function);
    expect((await hottest('goroutine', 'goroutine.pb.gz'))?.function).toBe(
      'example.com/profgen/work.(*Subscriber).listen',
    );
  });

  it('infers the kind when incident.json does not say, and refuses a contradicting declaration', async () => {
    const cpu = await load(kindsDir, 'cpu.pb.gz');
    expect(resolveKind(cpu, undefined, 'cpu.pb.gz')).toBe('cpu');
    expect(resolveKind(await load(kindsDir, 'allocs.pb.gz'), undefined, 'a')).toBe('allocs');
    expect(() => resolveKind(cpu, 'heap', 'cpu.pb.gz')).toThrow(
      expect.objectContaining({ code: 'MEDIC_ERR_INGEST_PROFILE_KIND_MISMATCH' }),
    );
  });
});

/** `go tool pprof -top` rows: function → flat and cum in the profile's base unit. */
async function pprofTop(path: string, unit: string): Promise<Map<string, { flat: number; cum: number }>> {
  const go = process.env.MEDIC_GO ?? 'go';
  const args = [
    go,
    'tool',
    'pprof',
    '-top',
    '-nodecount=100000',
    '-nodefraction=0',
    ...(unit ? [`-unit=${unit}`] : []),
    path,
  ];
  const result = await run(args, { timeoutMs: 60_000 });
  expect(result.exitCode, result.stderr).toBe(0);
  const rows = new Map<string, { flat: number; cum: number }>();
  for (const line of result.stdout.split('\n')) {
    const m =
      /^\s*([\d.]+)[a-zA-Z]*\s+[\d.e+-]+%\s+[\d.e+-]+%\s+([\d.]+)[a-zA-Z]*\s+[\d.e+-]+%\s+(.+?)(?: \(inline\))?$/.exec(
        line,
      );
    if (m) rows.set(m[3]!, { flat: Number(m[1]), cum: Number(m[2]) });
  }
  return rows;
}

describe('agreement with peers', () => {
  it.each([
    ['heap', 'heap.pb.gz', 'B'],
    ['allocs', 'allocs.pb.gz', 'B'],
    ['cpu', 'cpu.pb.gz', 'ns'],
    ['mutex', 'mutex.pb.gz', 'ns'],
    ['goroutine', 'goroutine.pb.gz', ''],
  ] as [ProfileKind, string, string][])(
    'flat and cum of %s match go tool pprof -top',
    async (kind, file, unit) => {
      const t = await load(kindsDir, file);
      const f = computeFeatures(t, { kind, artifact: file, topN: 20 });
      const peer = await pprofTop(join(kindsDir, file), unit);
      for (const stat of [...f.topFlat, ...f.topCum]) {
        const row = peer.get(stat.function);
        expect(row, stat.function).toBeDefined();
        expect(row?.cum).toBeCloseTo(stat.cum, 0);
      }
      for (const stat of f.topFlat) expect(peer.get(stat.function)?.flat).toBeCloseTo(stat.flat, 0);
    },
  );

  it('decodes the same samples, values and functions as pprof-format', async () => {
    for (const [, file] of KINDS) {
      const bytes = await readFile(join(kindsDir, file));
      const ours = decodeProfile(bytes, file);
      const theirs = Profile.decode(gunzipSync(bytes));
      expect(ours.sampleCount).toBe(theirs.sample.length);
      const names = theirs.stringTable.strings;
      expect(ours.sampleTypes.map((s) => s.type)).toEqual(
        theirs.sampleType.map((s) => names[Number(s.type)]),
      );
      ours.sampleTypes.forEach((_, i) => {
        let sum = 0;
        for (let s = 0; s < ours.sampleCount; s++) sum += ours.values[s * ours.sampleTypes.length + i]!;
        expect(sum).toBe(theirs.sample.reduce((n, s) => n + Number(s.value[i]), 0));
      });
      expect(new Set(ours.funcName)).toEqual(new Set(theirs.function.map((fn) => names[Number(fn.name)])));
    }
  });
});

describe('flame tree', () => {
  it('holds the cum of each function on its path, children never above their parent, nothing under 0.5 %', async () => {
    const t = await load(kindsDir, 'allocs.pb.gz');
    const vi = valueIndex(t, 'allocs');
    const f = computeFeatures(t, { kind: 'allocs', artifact: 'allocs.pb.gz', topN: 50 });
    const root = flameTree(t, vi);
    expect(root.value).toBe(f.total);
    const walk = (node: FlameNode, visit: (n: FlameNode) => void) => {
      visit(node);
      for (const child of node.children) walk(child, visit);
    };
    walk(root, (node) => {
      expect(node.children.reduce((n, c) => n + c.value, 0)).toBeLessThanOrEqual(node.value);
      expect(node.value).toBeGreaterThanOrEqual(f.total * 0.005);
    });
    // Allocate is reached along one path (main.main → main.kinds → Allocate): its node holds its cum.
    const allocate = f.topCum.find((s) => s.function === 'example.com/profgen/work.Allocate')!;
    let found: FlameNode | undefined;
    walk(root, (node) => {
      if (node.name === allocate.function) found = node;
    });
    expect(found?.value).toBe(allocate.cum);
  });
});

describe('growth between two profiles', () => {
  it('ranks the heap leak first: the cache that only grows', async () => {
    const [a, b] = [await load(heapLeakDir, 'heap-1.pb.gz'), await load(heapLeakDir, 'heap-2.pb.gz')];
    const interval = (b.timeNanos - a.timeNanos) / 1e9;
    expect(interval).toBeGreaterThan(0.5);
    const g = computeGrowth(a, b, {
      baselineArtifact: 'heap-1.pb.gz',
      intervalSeconds: interval,
      valueType: b.sampleTypes[valueIndex(b, 'heap')]!.type,
      repoFileOf: repo.repoFileOf,
    });
    const first = g.stacks[0]!;
    expect(first.site).toEqual({
      file: 'work/leaks.go',
      line: 32,
      function: 'example.com/profgen/work.(*Cache).Put',
    });
    expect(first.delta).toBeGreaterThan(30 * 1024 * 1024);
    expect(first.perMinute).toBeCloseTo(first.delta / (interval / 60), 3);
    expect(g.totalAfter! - g.totalBefore!).toBeGreaterThan(30 * 1024 * 1024);
  });

  it('ranks the goroutine leak first: the subscriber goroutines parked forever', async () => {
    const [a, b] = [
      await load(goroutineLeakDir, 'goroutine-1.pb.gz'),
      await load(goroutineLeakDir, 'goroutine-2.pb.gz'),
    ];
    const g = computeGrowth(a, b, {
      baselineArtifact: 'goroutine-1.pb.gz',
      intervalSeconds: 1,
      valueType: 'goroutine',
      repoFileOf: repo.repoFileOf,
    });
    expect(g.stacks[0]?.site?.function).toBe('example.com/profgen/work.(*Subscriber).listen');
    expect(g.stacks[0]?.delta).toBe(200);
    expect(g.stacks[0]?.stack[0]).toBe('runtime.gopark');
  });
});

describe('bad input', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'no error';
  };

  it('names each problem with a typed code', async () => {
    const gz = await readFile(join(kindsDir, 'heap.pb.gz'));
    const raw = gunzipSync(gz);
    const noise = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 251));
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array()],
      ['truncated gzip', gz.subarray(0, gz.length >> 1)],
      ['truncated protobuf', raw.subarray(0, Math.floor(raw.length * 0.6))],
      ['noise', noise],
      ['text', Buffer.from('<html><body>404 page not found, this is not a profile</body></html>')],
      ['gzipped text', gzipSync('not a profile at all, only words in a gzip stream')],
    ];
    for (const [name, bytes] of cases) {
      expect(
        code(() => decodeProfile(bytes, name)),
        name,
      ).toBe('MEDIC_ERR_INGEST_PROFILE_CORRUPT');
    }
  });

  it('says when the content is text', () => {
    expect(() =>
      decodeProfile(Buffer.from('goroutine profile: total 4\n1 @ 0x1 0x2\n'), 'debug1.txt'),
    ).toThrow(/content is text/);
  });

  it('refuses a sample that names a location the profile does not define', async () => {
    const p = Profile.decode(gunzipSync(await readFile(join(kindsDir, 'heap.pb.gz'))));
    p.location = p.location.slice(1);
    expect(() => decodeProfile(p.encode(), 'edited')).toThrow(
      expect.objectContaining({ code: 'MEDIC_ERR_INGEST_PROFILE_CORRUPT' }),
    );
  });

  it('refuses profiles that decompress beyond the limit', async () => {
    const gz = await readFile(join(kindsDir, 'heap.pb.gz'));
    expect(code(() => decodeProfile(gz, 'heap', { maxBytes: 100 }))).toBe(
      'MEDIC_ERR_INGEST_PROFILE_TOO_LARGE',
    );
  });
});
