/**
 * Builds test/diagnose/crashlab once, runs it in one failure mode, and records what it really
 * printed (and the profiles it wrote) as an incident directory; ingest then reads that directory.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { run } from '../../src/core/exec.js';
import { type ArtifactRef, type Evidence, type Incident, SCHEMA_VERSION } from '../../src/core/model.js';
import { ingest } from '../../src/ingest/index.js';

export const CRASHLAB = join(import.meta.dirname, 'crashlab');

/** `go build` of cmd/crash into `dir`; with `race`, the -race build too. */
export async function buildCrashlab(
  dir: string,
  opts: { race?: boolean } = {},
): Promise<{ plain: string; race?: string }> {
  const plain = join(dir, 'crash');
  const builds = [run(['go', 'build', '-o', plain, './cmd/crash'], { cwd: CRASHLAB, timeoutMs: 300_000 })];
  const race = join(dir, 'crash-race');
  if (opts.race)
    builds.push(
      run(['go', 'build', '-race', '-o', race, './cmd/crash'], { cwd: CRASHLAB, timeoutMs: 300_000 }),
    );
  for (const r of await Promise.all(builds)) {
    if (r.exitCode !== 0) throw new Error(`go build failed: ${r.stderr}`);
  }
  return opts.race ? { plain, race } : { plain };
}

const Taken = z.array(
  z.object({ kind: z.enum(['goroutine', 'heap']), file: z.string(), takenAt: z.string() }),
);

/** Runs `binary mode` and writes an incident directory for it under `root/<mode>`. */
export async function recordIncident(
  root: string,
  binary: string,
  mode: string,
  extra: { env?: Record<string, string>; repoDir?: string } = {},
): Promise<{ dir: string; incident: Incident }> {
  const dir = join(root, mode);
  const artifacts = join(dir, 'artifacts');
  await mkdir(artifacts, { recursive: true });
  const result = await run([binary, mode, artifacts], {
    timeoutMs: 60_000,
    env: { ...process.env, GOTRACEBACK: 'single', GORACE: 'halt_on_error=1', ...(extra.env ?? {}) },
  });
  const refs: ArtifactRef[] = [];
  if (result.stderr.trim() !== '') {
    await writeFile(join(artifacts, 'panic.log'), result.stderr);
    refs.push({ kind: 'panic-log', path: 'artifacts/panic.log' });
  }
  const listFile = join(artifacts, 'profiles.json');
  if (existsSync(listFile)) {
    for (const p of Taken.parse(JSON.parse(await readFile(listFile, 'utf8')))) {
      refs.push({ kind: 'profile', path: `artifacts/${p.file}`, profile: p.kind, takenAt: p.takenAt });
    }
  }
  const incident: Incident = {
    schemaVersion: SCHEMA_VERSION,
    id: mode,
    source: 'cli',
    receivedAt: new Date().toISOString(),
    service: {
      name: 'crashlab',
      repo: { path: extra.repoDir ?? CRASHLAB },
      mainPackage: './cmd/crash',
      run: { args: [], env: {} },
    },
    artifacts: refs,
  };
  await writeFile(join(dir, 'incident.json'), `${JSON.stringify(incident, null, 2)}\n`);
  return { dir, incident };
}

/** Ingest over the recorded directory: the Evidence a real run would diagnose from. */
export async function evidenceFor(
  rec: { dir: string; incident: Incident },
  repoDir = CRASHLAB,
): Promise<Evidence> {
  return ingest(rec.incident, { incidentDir: rec.dir, repoDir });
}
