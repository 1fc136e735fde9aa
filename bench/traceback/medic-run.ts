// Timed Medic parses for the traceback benchmark: file to failures with any-pointer buckets. Cold: the
// first parse in a fresh process (as `medic parse` runs). --warm: as the long-running service parses
// incidents once its code is compiled (see below). Wall and CPU time (every thread: GC and JIT compilers
// counted). Run as compiled JavaScript (run.ts builds it).
// Usage: node medic-run.js <dump> [--warm]; prints one JSON line.
import { readFileSync, statSync } from 'node:fs';
import { decodeText, parseFailures } from '../../src/ingest/traceback/index.js';

function peakKiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return m === null ? -1 : Number(m[1]);
}

function parseFile(file: string): { ms: number; cpuMs: number; goroutines: number; buckets: number } {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const failures = parseFailures(decodeText(readFileSync(file)), {
    artifact: file,
    bucketLevels: ['any-pointer'],
  });
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    goroutines: failures.reduce((n, f) => n + f.goroutines.length, 0),
    buckets: failures.reduce((n, f) => n + f.buckets.length, 0),
  };
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: medic-run.js <dump> [--warm]\n');
  process.exit(64);
}
// Warm: parses of about 30 MB first, then the mean of parses of about 10 MB (at least one), so the
// garbage collections that earlier parses leave behind are shared out as they are in a service.
const size = statSync(file).size;
const warm = process.argv.includes('--warm');
const warmups = warm ? Math.max(1, Math.ceil(30e6 / size)) : 0;
const timed = warm ? Math.max(1, Math.ceil(10e6 / size)) : 1;
for (let i = 0; i < warmups; i++) parseFile(file);
const runs = Array.from({ length: timed }, () => parseFile(file));
const mean = (k: 'ms' | 'cpuMs'): number => runs.reduce((n, r) => n + r[k], 0) / runs.length;
const last = runs[runs.length - 1];
process.stdout.write(
  `${JSON.stringify({ ...last, ms: mean('ms'), cpuMs: mean('cpuMs'), peakKiB: peakKiB(), warmups, timed })}\n`,
);
