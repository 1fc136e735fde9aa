// Regenerates the traceback corpus: builds the Go programs under programs/ and saves what they print.
// Usage: npx tsx test/traceback/generate.ts [name-substring...]   (needs Go; old toolchains via the module proxy)
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';
import { BUILDS, type Build, type Expect, SCENARIOS, type Scenario } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = join(here, 'corpus');

export interface ManifestEntry {
  file: string;
  build: string;
  args: string[];
  env: Record<string, string>;
  shipper?: string;
  goVersion: string;
  modulePath: string;
  /** The directory the program was built in, as absolute frames print it (non-trimpath builds). */
  repoRoot?: string;
  expect: Expect[];
  note?: string;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const wanted = SCENARIOS.filter((s) => only.length === 0 || only.some((o) => s.name.includes(o)));
  const work = await mkdtemp(join(tmpdir(), 'medic-corpus-'));
  try {
    await mkdir(corpusDir, { recursive: true });
    const manifestPath = join(corpusDir, 'manifest.json');
    const known = new Set(SCENARIOS.map((s) => `${s.name}.txt`));
    const previous: ManifestEntry[] =
      only.length === 0 ? [] : JSON.parse(await readFile(manifestPath, 'utf8').catch(() => '[]'));
    const manifest = previous.filter((m) => known.has(m.file));
    // Outputs of scenarios that no longer exist would be tested against nothing: remove them.
    for (const file of await readdir(corpusDir)) {
      if (file.endsWith('.txt') && !known.has(file)) await rm(join(corpusDir, file));
    }
    const built = new Map<string, { bin: string; root: string; version: string }>();
    const shipper = await buildOne(work, find('shipper'));
    for (const scenario of wanted) {
      let b = built.get(scenario.build);
      if (b === undefined) {
        b = await buildOne(work, find(scenario.build));
        built.set(scenario.build, b);
      }
      const text = await runScenario(scenario, b.bin, shipper.bin);
      const file = `${scenario.name}.txt`;
      await writeFile(join(corpusDir, file), text);
      const build = find(scenario.build);
      const entry: ManifestEntry = {
        file,
        build: scenario.build,
        args: scenario.args,
        env: scenario.env ?? {},
        ...(scenario.shipper === undefined ? {} : { shipper: scenario.shipper }),
        goVersion: b.version,
        modulePath: build.module === 'shop' ? 'example.com/shop' : 'example.com/logs',
        ...(build.trimpath ? {} : { repoRoot: b.root }),
        expect: scenario.expect,
        ...(scenario.note === undefined ? {} : { note: scenario.note }),
      };
      const at = manifest.findIndex((m) => m.file === file);
      if (at >= 0) manifest[at] = entry;
      else manifest.push(entry);
      process.stderr.write(`${file}: ${text.length} bytes\n`);
    }
    manifest.sort((a, b) => a.file.localeCompare(b.file));
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    // In the repository's JSON style, so `biome check` passes on a fresh generation.
    await must(['npx', 'biome', 'format', '--write', manifestPath], here, process.env);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function find(id: string): Build {
  const b = BUILDS.find((x) => x.id === id);
  if (b === undefined) throw new Error(`unknown build ${id}`);
  return b;
}

/** Builds in a fresh copy of the module, so absolute paths in frames name a throwaway directory. */
async function buildOne(work: string, build: Build): Promise<{ bin: string; root: string; version: string }> {
  const gopath = join(work, build.id, 'gopath');
  const modulePath = build.module === 'shop' ? 'example.com/shop' : 'example.com/logs';
  const root = build.gopath === true ? join(gopath, 'src', modulePath) : join(work, build.id, build.module);
  await cp(join(here, 'programs', build.module), root, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CGO_ENABLED: build.cgo ? '1' : '0',
    // Old toolchains do not know -buildvcs (set in this machine's go env file).
    GOFLAGS: build.vendor === true ? '-mod=vendor' : build.gopath === true ? '-buildvcs=false' : '-mod=mod',
    GOTOOLCHAIN: build.toolchain ?? 'local',
    ...(build.gopath === true ? { GO111MODULE: 'off', GOPATH: gopath } : {}),
  };
  if (build.vendor === true) await must(['go', 'mod', 'vendor'], root, { ...env, GOFLAGS: '-mod=mod' });
  const bin = join(work, `${build.id}.bin`);
  const flags = [...build.flags, ...(build.trimpath ? ['-trimpath'] : [])];
  await must(['go', 'build', ...flags, '-o', bin, build.pkg], root, env);
  const version = (await must(['go', 'env', 'GOVERSION'], root, env)).trim();
  return { bin, root, version };
}

async function must(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(argv, { cwd, env, timeoutMs: 900_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed in ${cwd}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Runs a scenario and returns stdout and stderr interleaved in arrival order, as a terminal shows them. */
function runScenario(s: Scenario, bin: string, shipperBin: string): Promise<string> {
  let argv = [bin, ...s.args];
  if (s.shipper !== undefined) argv = [shipperBin, s.shipper, ...argv];
  if (s.addressSpace !== undefined) argv = ['prlimit', `--as=${s.addressSpace}`, '--', ...argv];
  const [cmd, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const env = { ...process.env, GOTRACEBACK: 'single', ...s.env };
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let sent = false;
    const onData = (c: Buffer): void => {
      chunks.push(c);
      if (s.sigquit === true && !sent && Buffer.concat(chunks).includes('ready\n')) {
        sent = true;
        child.kill('SIGQUIT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

await main();
