// `medic verify` end to end through the real CLI: a patch file verified, bad input refused with exit 2.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderVerifications } from '../../src/cli/commands/verify.js';
import { type RunResult, run } from '../../src/core/exec.js';
import { Patch, Verification } from '../../src/core/model.js';
import { makePatch, type Recorded, recordShopIncident } from './helpers.js';

const MEDIC = fileURLToPath(new URL('../../bin/medic.js', import.meta.url));
let root: string;
let incident: Recorded;
let fix: string;
let verified: RunResult;

function medic(...args: string[]): Promise<RunResult> {
  return run([process.execPath, MEDIC, 'verify', ...args], {
    cwd: root,
    env: { ...process.env, MEDIC_WORK_DIR: join(root, 'medic') },
    timeoutMs: 240_000,
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medic-verify-cli-'));
  incident = await recordShopIncident(root);
  const patch = await makePatch(incident.repoDir, join(root, 'patches'), 1, [
    { file: 'cart/cart.go', from: 'return &Cart{}', to: 'return &Cart{items: map[string]int{}}' },
  ]);
  fix = join(root, 'fix.patch');
  await writeFile(fix, patch.diff);
  verified = await medic(incident.incidentDir, '--patch', fix, '--json');
}, 300_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('medic verify', () => {
  it('verifies a patch file, prints the outcome as JSON and exits 0', () => {
    expect(verified.stderr).toContain('✔ build');
    expect(verified.exitCode).toBe(0);
    const out = JSON.parse(verified.stdout) as { chosen: unknown; verifications: unknown[] };
    const chosen = Patch.parse(out.chosen);
    expect(chosen.origin).toBe('file');
    const [v] = out.verifications.map((x) => Verification.parse(x));
    expect(v?.verdict).toBe('verified');
    expect(v?.checks.find((c) => c.name === 'replay')?.outcome).toBe('pass');
    // No regression test in a bare diff: the replayed request is what shows the incident fixed.
    expect(v?.checks.find((c) => c.name === 'reproduction')?.outcome).toBe('skipped');
    const human = renderVerifications([chosen], v ? [v] : []);
    expect(human).toContain('candidate 1 (other, file): VERIFIED');
    expect(human).toMatch(/✔ differential +\d+\.\d\d s {2}\$ go run \.\/cmd\/server -addr \{addr\}/);
  });

  it('refuses a patch file that is not a diff with exit 2 and the code', async () => {
    const notes = join(root, 'notes.txt');
    await writeFile(notes, 'fix the map, please\n');
    const r = await medic(incident.incidentDir, '--patch', notes);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('MEDIC_ERR_VERIFY_BAD_PATCH');
    expect(r.stdout).toBe('');
  });

  it('refuses a bad option or a missing directory with exit 2', async () => {
    const bad = await medic(incident.incidentDir, '--isolation', 'chroot');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('MEDIC_ERR_INPUT_BAD_OPTION');
    const missing = await medic(join(root, 'nowhere'));
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('MEDIC_ERR_INPUT_NOT_FOUND');
  });
});
