// Benchmarks Medic's traceback parser against panicparse v2 on the same GOTRACEBACK=all dumps.
// Usage: npm run bench:traceback [-- --sizes 1000,10000,100000 --runs 3]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { run } from '../../src/core/exec.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const work = join(root, 'bench/.work/traceback');
const PANICPARSE = 'github.com/maruel/panicparse/v2@v2.5.0';

const Result = z.object({
  ms: z.number(),
  cpuMs: z.number(),
  goroutines: z.number(),
  buckets: z.number(),
  peakKiB: z.number(),
  warmups: z.number().optional(),
  timed: z.number().optional(),
});
type Result = z.infer<typeof Result>;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

async function must(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const r = await run(argv, { cwd, env, timeoutMs: 1_800_000, maxOutputBytes: 1 << 20 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Builds the dump generator in place, so absolute frame paths name files panicparse can read. */
async function dumps(sizes: number[]): Promise<Map<number, string>> {
  await mkdir(work, { recursive: true });
  const bin = join(work, 'dumpgen');
  await must(['go', 'build', '-o', bin, '.'], join(here, 'dumpgen'), { ...process.env, GOFLAGS: '-mod=mod' });
  const out = new Map<number, string>();
  // A dump is reused while the generator's source and the Go version that built it are the same.
  const source = await readFile(join(here, 'dumpgen/main.go'));
  const goVersion = (await must(['go', 'env', 'GOVERSION'], here)).trim();
  const stamp = createHash('sha256').update(source).update(goVersion).digest('hex');
  for (const n of sizes) {
    const file = join(work, `dump-${n}.txt`);
    const stampFile = `${file}.stamp`;
    const fresh = existsSync(file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
    if (!fresh) {
      process.stderr.write(`generating ${n}-goroutine dump...\n`);
      const fd = openSync(file, 'w');
      try {
        // The program panics on purpose: exit status 2 is the expected outcome.
        execFileSync(bin, [String(n)], {
          stdio: ['ignore', fd, fd],
          env: { ...process.env, GOTRACEBACK: 'all' },
        });
      } catch (error) {
        if ((error as { status?: number }).status !== 2) throw error;
      } finally {
        closeSync(fd);
      }
      await writeFile(stampFile, stamp);
    }
    out.set(n, file);
  }
  return out;
}

/** Fetches panicparse from the Go module proxy into a temp module and builds the harness there. */
async function buildPanicparse(tmp: string): Promise<string> {
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  await writeFile(join(tmp, 'go.mod'), 'module medic.local/ppbench\n\ngo 1.22\n');
  await copyFile(join(here, 'harness/main.go'), join(tmp, 'main.go'));
  await must(['go', 'get', PANICPARSE], tmp, env);
  await must(['go', 'build', '-o', 'harness', '.'], tmp, env);
  return join(tmp, 'harness');
}

/**
 * Compiles Medic's side with tsc, as `npm run build` does, so the bench times the JavaScript that
 * `medic parse` runs rather than tsx transpiling TypeScript at start (and tsx's memory).
 */
async function buildMedic(): Promise<string> {
  const out = join(work, 'dist');
  await rm(out, { recursive: true, force: true });
  const config = join(work, 'tsconfig.medic.json');
  await writeFile(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { outDir: out, rootDir: root, sourceMap: false, noEmit: false },
      include: [],
      files: [join(here, 'medic-run.ts')],
    }),
  );
  // Type errors elsewhere in a shared tree do not stop tsc from emitting; a missing output does.
  await run(['npx', 'tsc', '-p', config], { cwd: root, timeoutMs: 600_000, maxOutputBytes: 1 << 20 });
  const script = join(out, 'bench/traceback/medic-run.js');
  if (!existsSync(script)) throw new Error(`tsc did not produce ${script}`);
  return script;
}

async function once(argv: string[]): Promise<Result> {
  return Result.parse(JSON.parse((await must(argv, root)).trim().split('\n').pop() ?? ''));
}

/** The dump goes right after the program (and its script), before its flags. */
function withFile(argv: string[], file: string): string[] {
  const at = argv.findIndex((a) => a.startsWith('--'));
  return at < 0 ? [...argv, file] : [...argv.slice(0, at), file, ...argv.slice(at)];
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const sizes = flag('sizes', '1000,10000,100000').split(',').map(Number);
  const runs = Number(flag('runs', '5'));
  const files = await dumps(sizes);
  const tmp = await mkdtemp(join(tmpdir(), 'medic-panicparse-'));
  try {
    const harness = await buildPanicparse(tmp);
    const medic = await buildMedic();
    const tools: Array<[string, string[]]> = [
      ['panicparse (analysis off)', [harness, 'fast']],
      ['panicparse (default)', [harness, 'default']],
      ['medic', ['node', medic]],
      ['medic (warm process)', ['node', medic, '--warm']],
    ];
    const rows: string[] = [];
    const verdicts: string[] = [];
    for (const n of sizes) {
      const file = files.get(n) ?? '';
      const mb = statSync(file).size / 1e6;
      const results = new Map<string, Result[]>(tools.map(([name]) => [name, []]));
      // Interleaved, so load from other processes on the machine hits every tool alike.
      for (let r = 0; r < runs; r++) {
        for (const [name, argv] of tools) results.get(name)?.push(await once(withFile(argv, file)));
        process.stderr.write(`${n} goroutines: run ${r + 1}/${runs} done\n`);
      }
      const all = (name: string): Result[] => results.get(name) ?? [];
      const best = (name: string, k: 'ms' | 'cpuMs'): number => Math.min(...all(name).map((x) => x[k]));
      const mid = (name: string, k: 'ms' | 'cpuMs'): number => median(all(name).map((x) => x[k]));
      const peers = [tools[0]?.[0] ?? '', tools[1]?.[0] ?? ''];
      const peer = (f: (name: string, k: 'ms' | 'cpuMs') => number, k: 'ms' | 'cpuMs'): number =>
        Math.min(...peers.map((p) => f(p, k)));
      for (const [name] of tools) {
        const rs = all(name);
        const ms = best(name, 'ms');
        const cpu = best(name, 'cpuMs');
        const peak = Math.max(...rs.map((x) => x.peakKiB)) / 1024;
        const ratio = name.startsWith('medic')
          ? `${(peer(best, 'ms') / ms).toFixed(2)}× / ${(peer(best, 'cpuMs') / cpu).toFixed(2)}×`
          : '';
        const read = [...new Set(rs.map((x) => x.goroutines))].join(', ');
        rows.push(
          `| ${n} | ${mb.toFixed(1)} | ${name} | ${ms.toFixed(0)} | ${mid(name, 'ms').toFixed(0)} | ${cpu.toFixed(0)} | ${mid(name, 'cpuMs').toFixed(0)} | ${(mb / (ms / 1000)).toFixed(1)} | ${(mb / (cpu / 1000)).toFixed(1)} | ${peak.toFixed(0)} | ${read} | ${rs[0]?.buckets ?? 0} | ${ratio} |`,
        );
      }
      const met = (x: number): string => (x >= 3 ? 'met' : 'NOT met');
      for (const medic of ['medic', 'medic (warm process)']) {
        const wall = peer(best, 'ms') / best(medic, 'ms');
        const cpu = peer(best, 'cpuMs') / best(medic, 'cpuMs');
        const wallMid = peer(mid, 'ms') / mid(medic, 'ms');
        const cpuMid = peer(mid, 'cpuMs') / mid(medic, 'cpuMs');
        verdicts.push(
          `${n} goroutines, ${medic}: ${wall.toFixed(2)}× the faster panicparse mode by best wall time (target ≥3×: ${met(wall)}), ${cpu.toFixed(2)}× by best CPU time (${met(cpu)}); medians ${wallMid.toFixed(2)}× / ${cpuMid.toFixed(2)}×`,
        );
      }
      const counts = new Set(tools.flatMap(([name]) => all(name).map((x) => x.goroutines)));
      if (counts.size !== 1)
        verdicts.push(`${n} goroutines: WARNING, the parsers read different numbers of goroutines`);
      if (n >= 100_000) {
        const peak = Math.max(...all('medic').map((x) => x.peakKiB)) / 1024;
        verdicts.push(
          `${n} goroutines: Medic peak ${peak.toFixed(0)} MB (target ≤1024 MB: ${peak <= 1024 ? 'met' : 'NOT met'})`,
        );
      }
    }
    process.stdout.write(
      [
        `Go failure parsing: ${runs} runs each, interleaved, one fresh process per run, from file to buckets.`,
        'Wall and CPU: best and median of the runs. CPU is the process CPU time, every thread (GC, JIT compilers)',
        'counted; it is the steadier measure when other work shares the machine. MB/s from the best times.',
        'Peak: the highest resident set (VmHWM) of the runs. Warm: the mean of parses of ~10 MB after ~30 MB of parses.',
        '',
        '| goroutines | MB | parser | wall ms | wall median | CPU ms | CPU median | MB/s (wall) | MB/s (CPU) | peak MB | goroutines read | buckets | speed vs faster panicparse (wall / CPU) |',
        '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
        '',
        ...verdicts,
        '',
      ].join('\n'),
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
