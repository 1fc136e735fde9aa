// ingest() end to end on incidents made from real runs of test/pprof/profgen: a panic with
// profiles, a heap leak, a goroutine leak (protobuf and debug=2 dumps), recent git changes,
// and the typed errors for no failure and for a corrupt profile.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { type ArtifactRef, Evidence, Incident } from '../../src/core/model.js';
import { ingest } from '../../src/ingest/index.js';
import { buildProfgen, PROFGEN_DIR, type Profgen } from './profgen.js';

let gen: Profgen;
const dirs: Record<string, string> = {};

beforeAll(async () => {
  gen = await buildProfgen();
  const [panic, heap, heapAgain, goroutine, kinds] = await Promise.all([
    gen.produce('panic'),
    gen.produce('heap-leak'),
    gen.produce('heap-leak'),
    gen.produce('goroutine-leak'),
    gen.produce('kinds'),
  ]);
  await writeFile(join(panic.dir, 'panic.log'), panic.stderr);
  Object.assign(dirs, {
    panic: panic.dir,
    heap: heap.dir,
    heapAgain: heapAgain.dir,
    goroutine: goroutine.dir,
    kinds: kinds.dir,
  });
});

afterAll(() => gen?.cleanup());

function incident(artifacts: ArtifactRef[]): Incident {
  return Incident.parse({
    schemaVersion: 1,
    id: 'profgen',
    source: 'cli',
    receivedAt: new Date().toISOString(),
    service: { name: 'profgen', repo: { path: PROFGEN_DIR } },
    artifacts,
  });
}

const profile = (path: string, kind: string): ArtifactRef =>
  ({ kind: 'profile', path, profile: kind }) as ArtifactRef;
const panicLog: ArtifactRef = { kind: 'panic-log', path: 'panic.log' };

/** Every reason cites an item that exists; ids run E1, E2, ... in order. */
function checkCitations(e: Evidence): void {
  expect(Evidence.parse(e)).toBeTruthy();
  expect(e.items.map((item) => item.id)).toEqual(e.items.map((_, i) => `E${i + 1}`));
  const ids = new Set(e.items.map((i) => i.id));
  for (const s of e.suspects)
    for (const r of s.reasons) expect(ids.has(r.evidenceId), r.evidenceId).toBe(true);
  for (const v of Object.values(e.signals)) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
}

describe('ingest', () => {
  it('fuses a panic log with CPU and heap profiles; the crashing frame ranks first', async () => {
    const e = await ingest(incident([panicLog, profile('cpu.pb.gz', 'cpu'), profile('heap.pb.gz', 'heap')]), {
      incidentDir: dirs.panic!,
      repoDir: PROFGEN_DIR,
    });
    checkCitations(e);
    expect(e.class).toBe('nil-map-write');
    expect(e.failure?.class).toBe('nil-map-write');
    expect(e.signature).toBe(e.failure?.signature);
    expect(e.suspects[0]?.location).toEqual({
      file: 'work/leaks.go',
      line: 42,
      function: 'example.com/profgen/work.(*Registry).Register',
    });
    expect(e.suspects[0]?.reasons[0]?.source).toBe('traceback');
    expect(e.profiles.map((p) => p.kind)).toEqual(['cpu', 'heap']);
    const cpu = e.profiles.find((p) => p.kind === 'cpu')!;
    expect(e.signals.pprofEntropy).toBe(cpu.entropy);
    // panicScore = 0.6 × w(nil-map-write) + 0.4 × min(1, depth / 50), w = 0.9.
    const depth = e.failure!.goroutines.find((g) => g.id === e.failure!.crashedGoroutineId)!.frames.length;
    expect(e.signals.panicScore).toBeCloseTo(0.6 * 0.9 + 0.4 * Math.min(1, depth / 50), 10);
    expect(e.signals.traceJitter).toBe(0);
    // The hot loop shows up as a (weaker) suspect from the CPU profile.
    expect(e.suspects.some((s) => s.location.function === 'example.com/profgen/work.Hot')).toBe(true);
    // PROFGEN_DIR sits inside Medic's own repository: its commits must not be blamed.
    expect(e.items.some((i) => i.source === 'git')).toBe(false);
  });

  it('reads a heap leak from two profiles with no panic output', async () => {
    const e = await ingest(incident([profile('heap-1.pb.gz', 'heap'), profile('heap-2.pb.gz', 'heap')]), {
      incidentDir: dirs.heap!,
      repoDir: PROFGEN_DIR,
    });
    checkCitations(e);
    expect(e.failure).toBeUndefined();
    expect(e.class).toBe('heap-leak');
    expect(e.signature).toMatch(/^heap-leak:[0-9a-f]{16}$/);
    expect(e.suspects[0]?.location).toMatchObject({
      file: 'work/leaks.go',
      function: 'example.com/profgen/work.(*Cache).Put',
    });
    const grown = e.profiles.find((p) => p.growth)!;
    expect(grown.artifact).toBe('heap-2.pb.gz');
    expect(grown.growth?.baselineArtifact).toBe('heap-1.pb.gz');
    // The same leak in another run of the program: the same dedup key.
    const again = await ingest(incident([profile('heap-1.pb.gz', 'heap'), profile('heap-2.pb.gz', 'heap')]), {
      incidentDir: dirs.heapAgain!,
      repoDir: PROFGEN_DIR,
    });
    expect(again.signature).toBe(e.signature);
  });

  it('reads a goroutine leak from two goroutine profiles', async () => {
    const e = await ingest(
      incident([profile('goroutine-2.pb.gz', 'goroutine'), profile('goroutine-1.pb.gz', 'goroutine')]),
      {
        incidentDir: dirs.goroutine!,
        repoDir: PROFGEN_DIR,
      },
    );
    checkCitations(e);
    expect(e.class).toBe('goroutine-leak');
    // Ordered by the profiles' own clocks, whatever the order in incident.json.
    expect(e.profiles.find((p) => p.growth)?.growth?.baselineArtifact).toBe('goroutine-1.pb.gz');
    expect(e.suspects[0]?.location.function).toBe('example.com/profgen/work.(*Subscriber).listen');
  });

  it('reads goroutine debug=2 dumps through the traceback parser and names the leaking go statement', async () => {
    const e = await ingest(
      incident([profile('goroutine-1.txt', 'goroutine'), profile('goroutine-2.txt', 'goroutine')]),
      {
        incidentDir: dirs.goroutine!,
        repoDir: PROFGEN_DIR,
      },
    );
    checkCitations(e);
    expect(e.class).toBe('goroutine-leak');
    const latest = e.profiles.find((p) => p.artifact === 'goroutine-2.txt')!;
    expect(latest.creationSites?.[0]).toMatchObject({
      function: 'example.com/profgen/work.Subscribe',
      delta: 200,
      repoFile: 'work/leaks.go',
    });
    const top3 = e.suspects.slice(0, 3).map((s) => s.location.function);
    expect(top3).toContain('example.com/profgen/work.Subscribe');
    expect(top3).toContain('example.com/profgen/work.(*Subscriber).listen');
    expect(e.otherFailures[0]?.source.artifact).toBe('goroutine-2.txt');
  });

  it('says there is no failure when nothing failed or grew', async () => {
    await expect(
      ingest(
        incident([
          profile('cpu.pb.gz', 'cpu'),
          profile('heap.pb.gz', 'heap'),
          profile('goroutine.pb.gz', 'goroutine'),
        ]),
        {
          incidentDir: dirs.kinds!,
          repoDir: PROFGEN_DIR,
        },
      ),
    ).rejects.toMatchObject({ code: 'MEDIC_ERR_INGEST_NO_FAILURE' });
  });

  it('refuses a truncated profile with the profile code, naming the artifact', async () => {
    const bytes = await readFile(join(dirs.panic!, 'heap.pb.gz'));
    await writeFile(join(dirs.panic!, 'cut.pb.gz'), bytes.subarray(0, 100));
    const failed = ingest(incident([panicLog, profile('cut.pb.gz', 'heap')]), {
      incidentDir: dirs.panic!,
      repoDir: PROFGEN_DIR,
    });
    await expect(failed).rejects.toMatchObject({
      code: 'MEDIC_ERR_INGEST_PROFILE_CORRUPT',
      message: expect.stringContaining('cut.pb.gz'),
    });
  });
});

describe('recent changes in git', () => {
  let repo: string;

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'medic-ingest-git-'));
    await cp(PROFGEN_DIR, repo, { recursive: true });
    const git = (...args: string[]) =>
      run(['git', '-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], { cwd: repo });
    await git('init', '-q', '--initial-branch=main');
    await git('add', '.');
    await git('commit', '-q', '-m', 'workloads');
    const leaks = join(repo, 'work', 'leaks.go');
    const text = await readFile(leaks, 'utf8');
    await writeFile(
      leaks,
      text.replace('r.byName[name] = len(name)', 'r.byName[name] = len(name) // bytes, not runes'),
    );
    await git('commit', '-q', '-am', 'count registry names in bytes');
  });

  afterAll(() => rm(repo, { recursive: true, force: true }));

  it('lifts the crashing frame with the commit that last touched its function', async () => {
    const e = await ingest(incident([panicLog, profile('heap.pb.gz', 'heap')]), {
      incidentDir: dirs.panic!,
      repoDir: repo,
    });
    checkCitations(e);
    const item = e.items.find((i) => i.source === 'git');
    expect(item?.summary).toContain('count registry names in bytes');
    expect(item?.location).toMatchObject({ file: 'work/leaks.go', line: 42 });
    const top = e.suspects[0]!;
    expect(top.location.line).toBe(42);
    expect(top.reasons.map((r) => r.source)).toEqual(expect.arrayContaining(['traceback', 'git']));
  });

  it('counts an edit not yet committed as the most recent change', async () => {
    const leaks = join(repo, 'work', 'leaks.go');
    const text = await readFile(leaks, 'utf8');
    await writeFile(
      leaks,
      text.replace('r.byName[name] = len(name) // bytes, not runes', 'r.byName[name] = len(name) // bytes'),
    );
    try {
      const e = await ingest(incident([panicLog]), { incidentDir: dirs.panic!, repoDir: repo });
      const item = e.items.find((i) => i.source === 'git');
      expect(item?.summary).toContain('uncommitted edits');
      expect(e.suspects[0]?.reasons.some((r) => r.source === 'git' && r.evidenceId === item?.id)).toBe(true);
    } finally {
      await writeFile(leaks, text);
    }
  });
});
