// `medic ingest <incident-dir>` as a user runs it: human summary, --json, and exit code 2 with the
// error code for bad input.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { Evidence } from '../../src/core/model.js';
import { buildProfgen, PROFGEN_DIR, type Profgen } from './profgen.js';

const ROOT = join(import.meta.dirname, '..', '..');
let gen: Profgen;
let crashDir: string;
let calmDir: string;

async function writeIncident(dir: string, artifacts: unknown[]): Promise<void> {
  const incident = {
    schemaVersion: 1,
    id: 'profgen-cli',
    source: 'cli',
    receivedAt: '2026-01-01T00:00:00.000Z',
    service: { name: 'profgen', repo: { path: PROFGEN_DIR } },
    artifacts,
  };
  await writeFile(join(dir, 'incident.json'), JSON.stringify(incident));
}

const medic = (...args: string[]) =>
  run([process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    timeoutMs: 120_000,
  });

beforeAll(async () => {
  gen = await buildProfgen();
  const [crash, calm] = await Promise.all([gen.produce('panic'), gen.produce('kinds')]);
  crashDir = crash.dir;
  calmDir = calm.dir;
  await writeFile(join(crashDir, 'panic.log'), crash.stderr);
  await writeIncident(crashDir, [
    { kind: 'panic-log', path: 'panic.log' },
    { kind: 'profile', path: 'cpu.pb.gz', profile: 'cpu' },
    { kind: 'profile', path: 'heap.pb.gz', profile: 'heap' },
  ]);
  await writeIncident(calmDir, [{ kind: 'profile', path: 'cpu.pb.gz', profile: 'cpu' }]);
});

afterAll(() => gen?.cleanup());

describe('medic ingest', () => {
  it('prints the class, signals, suspects and profile highlights', async () => {
    const r = await medic('ingest', crashDir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/class\s+nil-map-write/);
    expect(r.stdout).toMatch(/signals\s+panicScore 0\.\d\d/);
    expect(r.stdout).toContain('1. (*Registry).Register at work/leaks.go:42');
    expect(r.stdout).toContain('cpu.pb.gz  cpu cpu');
    expect(r.stdout).toMatch(/E1 {3}traceback/);
  });

  it('prints the Evidence record with --json', async () => {
    const r = await medic('ingest', crashDir, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const evidence = Evidence.parse(JSON.parse(r.stdout));
    expect(evidence.suspects[0]?.location.file).toBe('work/leaks.go');
  });

  it('exits 2 with the code when nothing failed, and for a bad option', async () => {
    const none = await medic('ingest', calmDir);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('MEDIC_ERR_INGEST_NO_FAILURE');
    const bad = await medic('ingest', crashDir, '--suspects', 'none');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('MEDIC_ERR_INPUT_BAD_OPTION');
  });
});
