/**
 * `npm run bench:pprof`: features of one large heap profile (MemProfileRate=1, ~1M distinct
 * stacks, generated here at bench time) extracted by Medic and by `go tool pprof -top` in the
 * same run, each as its own process under the same rusage wrapper; prints wall time, peak
 * memory and the ratios. Options: --levels N (2^N stacks, default 20), --regenerate,
 * --skip-pprof-format (the library's decode alone, for reference), --runs N (best of N, default 1).
 */
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';
import { bigHeapSource } from './bigheap.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const work = join(root, 'bench', '.work', 'pprof');
const go = process.env.MEDIC_GO ?? 'go';

interface Usage {
  exitCode: number;
  wallMs: number;
  userMs: number;
  sysMs: number;
  maxRssKiB: number;
}

function flag(name: string): boolean {
  return process.argv.includes(name);
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
}

async function must(argv: string[], cwd: string): Promise<string> {
  const r = await run(argv, { cwd, timeoutMs: 30 * 60_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (${r.exitCode}):\n${r.stderr}`);
  return r.stdout;
}

/** Generates, builds and runs the big-heap program unless its profile is already there. */
async function profile(levels: number): Promise<string> {
  const dir = join(work, `bigheap-${levels}`);
  const out = join(dir, 'heap.pb.gz');
  if (existsSync(out) && !flag('--regenerate')) return out;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'go.mod'), 'module bigheap\n\ngo 1.22\n');
  await writeFile(join(dir, 'main.go'), bigHeapSource(levels));
  process.stderr.write(`generating the profile (2^${levels} stacks) in ${dir}\n`);
  await must([go, 'build', '-o', join(dir, 'bigheap'), '.'], dir);
  await must([join(dir, 'bigheap'), out], dir);
  return out;
}

async function rusageBinary(): Promise<string> {
  const bin = join(work, 'rusage');
  if (!existsSync(bin)) await must([go, 'build', '-o', bin, '.'], join(here, 'rusage'));
  return bin;
}

/** Runs argv under the rusage wrapper; best (fastest) of `runs`, with the peak memory of that run. */
async function measure(rusage: string, argv: string[], runs: number): Promise<Usage> {
  let best: Usage | undefined;
  for (let i = 0; i < runs; i++) {
    const r = await run([rusage, ...argv], { cwd: root, timeoutMs: 30 * 60_000 });
    const line = r.stderr.split('\n').find((l) => l.startsWith('RUSAGE '));
    if (line === undefined) throw new Error(`${argv.join(' ')}: no rusage line\n${r.stderr}`);
    const usage = JSON.parse(line.slice(7)) as Usage;
    if (usage.exitCode !== 0)
      throw new Error(`${argv.join(' ')} exited ${usage.exitCode}:\n${r.stderr.slice(-2000)}`);
    if (best === undefined || usage.wallMs < best.wallMs) best = usage;
  }
  return best!;
}

async function main(): Promise<void> {
  const levels = option('--levels', 20);
  const runs = option('--runs', 1);
  const file = await profile(levels);
  const rusage = await rusageBinary();
  const size = (await stat(file)).size;
  const pprofTool = (await must([go, 'tool', '-n', 'pprof'], root)).trim();
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  process.stderr.write(`profile ${file} (${(size / 1e6).toFixed(1)} MB gzip)\n`);
  const rows: [string, Usage][] = [];
  rows.push([
    'medic (decode, features, flame; node + tsx)',
    await measure(rusage, [tsx, join(here, 'extract.ts'), file], runs),
  ]);
  rows.push(['go tool pprof -top', await measure(rusage, [pprofTool, '-top', file], runs)]);
  if (!flag('--skip-pprof-format')) {
    rows.push([
      'pprof-format decode only (reference)',
      await measure(rusage, [tsx, join(here, 'pprof-format.ts'), file], runs),
    ]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(
    `\n${'tool'.padEnd(width)}  ${'wall s'.padStart(8)}  ${'cpu s'.padStart(8)}  ${'peak MB'.padStart(8)}\n`,
  );
  for (const [name, u] of rows) {
    const cpu = (u.userMs + u.sysMs) / 1000;
    process.stdout.write(
      `${name.padEnd(width)}  ${(u.wallMs / 1000).toFixed(2).padStart(8)}  ${cpu.toFixed(2).padStart(8)}  ${(u.maxRssKiB / 1024).toFixed(0).padStart(8)}\n`,
    );
  }
  const medic = rows[0]![1];
  const peer = rows[1]![1];
  const speed = peer.wallMs / medic.wallMs;
  const memory = peer.maxRssKiB / medic.maxRssKiB;
  process.stdout.write(
    `\nmedic vs go tool pprof -top: ${speed.toFixed(1)}× faster, ${memory.toFixed(1)}× less peak memory` +
      ` (target ≥3× faster with less memory: ${speed >= 3 && memory > 1 ? 'met' : 'NOT met'})\n`,
  );
}

await main();
