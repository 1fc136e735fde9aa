/**
 * `npm run bench:verify`: wall time of a full verification of fixture incidents (their reference
 * patch, through the same code `medic verify --patch` runs), first with an empty Go build cache
 * (cold) then again with the cache that run filled (warm), and the tests checks with test
 * selection against the same checks over `go test ./...`, all measured in one run.
 * Options: --only a,b (fixture names; default: nil-map-write, nil-deref-handler,
 * concurrent-map-writes, mutex-deadlock), --all (every fixture), --json (the numbers as JSON).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIncidentDir } from '../../src/core/incident-dir.js';
import type { Verification } from '../../src/core/model.js';
import { ingest } from '../../src/ingest/index.js';
import { patchFromDiff, verifyPatch } from '../../src/verify/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixturesDir = join(root, 'fixtures', 'incidents');
const work = join(root, 'bench', '.work', 'verify');
const DEFAULT = ['nil-map-write', 'nil-deref-handler', 'concurrent-map-writes', 'mutex-deadlock'];

interface Row {
  fixture: string;
  verdict: string;
  coldMs: number;
  warmMs: number;
  /** tests-before + tests-after, warm, with selection and with `./...`. */
  selectedTestsMs: number;
  allTestsMs: number;
  selectedPackages: number;
  allPackages: number;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function fixtureNames(): Promise<string[]> {
  if (process.argv.includes('--all')) {
    const names = await readdir(fixturesDir);
    return names.filter((n) => existsSync(join(fixturesDir, n, 'reference.patch'))).sort();
  }
  return option('--only')?.split(',') ?? DEFAULT;
}

function testsMs(v: Verification): number {
  return v.checks
    .filter((c) => c.name === 'tests-before' || c.name === 'tests-after')
    .reduce((n, c) => n + c.durationMs, 0);
}

function packages(v: Verification): number {
  const n = v.checks.find((c) => c.name === 'tests-after')?.data?.packages;
  return typeof n === 'number' ? n : 0;
}

async function verifyFixture(
  name: string,
  goCache: string,
  testScope: 'selected' | 'all',
): Promise<{ ms: number; v: Verification }> {
  const source = await loadIncidentDir(join(fixturesDir, name));
  const evidence = await ingest(source.incident, { incidentDir: source.dir, repoDir: source.repoDir });
  const diff = await readFile(join(source.dir, 'reference.patch'), 'utf8');
  const patch = patchFromDiff(diff, source.incident.id, 'reference.patch');
  const started = performance.now();
  const v = await verifyPatch(
    patch,
    {
      incident: source.incident,
      evidence,
      incidentDir: source.dir,
      repoDir: source.repoDir,
      workDir: join(work, 'runs'),
    },
    { goCache, testScope },
  );
  return { ms: performance.now() - started, v };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
  const names = await fixtureNames();
  const goCache = join(work, 'gocache');
  await rm(goCache, { recursive: true, force: true });
  await mkdir(goCache, { recursive: true });
  const rows: Row[] = [];
  // Cold: every fixture in turn from an empty cache (later fixtures reuse what earlier ones compiled,
  // as on a fresh machine). Warm: the same again. Then the same warm run over `./...`.
  const coldMs = new Map<string, number>();
  for (const name of names) {
    process.stderr.write(`cold  ${name}\n`);
    coldMs.set(name, (await verifyFixture(name, goCache, 'selected')).ms);
  }
  for (const name of names) {
    process.stderr.write(`warm  ${name}\n`);
    const warm = await verifyFixture(name, goCache, 'selected');
    process.stderr.write(`./... ${name}\n`);
    const all = await verifyFixture(name, goCache, 'all');
    rows.push({
      fixture: name,
      verdict: warm.v.verdict,
      coldMs: coldMs.get(name) ?? 0,
      warmMs: warm.ms,
      selectedTestsMs: testsMs(warm.v),
      allTestsMs: testsMs(all.v),
      selectedPackages: packages(warm.v),
      allPackages: packages(all.v),
    });
  }
  await rm(goCache, { recursive: true, force: true });
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const sum = (f: (r: Row) => number) => rows.reduce((n, r) => n + f(r), 0);
  const lines = [
    'fixture                 verdict       cold      warm   cold/warm   tests selected (pkgs)   tests ./... (pkgs)   ./.../selected',
  ];
  for (const r of rows) {
    lines.push(
      [
        r.fixture.padEnd(22),
        r.verdict.padEnd(12),
        seconds(r.coldMs).padStart(8),
        seconds(r.warmMs).padStart(9),
        `${(r.coldMs / r.warmMs).toFixed(2)}x`.padStart(11),
        `${seconds(r.selectedTestsMs)} (${r.selectedPackages})`.padStart(23),
        `${seconds(r.allTestsMs)} (${r.allPackages})`.padStart(20),
        `${(r.allTestsMs / Math.max(1, r.selectedTestsMs)).toFixed(2)}x`.padStart(16),
      ].join(' '),
    );
  }
  const cold = sum((r) => r.coldMs);
  const warm = sum((r) => r.warmMs);
  const sel = sum((r) => r.selectedTestsMs);
  const all = sum((r) => r.allTestsMs);
  lines.push(
    '',
    `total: cold ${seconds(cold)}, warm ${seconds(warm)} (cold/warm ${(cold / warm).toFixed(2)}x); ` +
      `tests checks ${seconds(sel)} selected vs ${seconds(all)} over ./... (selection saves ${(100 * (1 - sel / Math.max(1, all))).toFixed(0)}%)`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
