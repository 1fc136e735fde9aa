// proposePatches on real Go: ranked candidates from a diagnosis, and NO_CANDIDATE with every reason when nothing applies.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/core/errors.js';
import { Patch } from '../../src/core/model.js';
import { proposePatches } from '../../src/patch/index.js';
import { diagnosisAt, evidenceAt, incidentNamed } from './records.js';

const P = 'example.com/ops/bugs';
let repoDir: string;
const incident = incidentNamed();

beforeAll(async () => {
  repoDir = await mkdtemp(join(tmpdir(), 'medic-propose-'));
  await cp(join(import.meta.dirname, 'go/ops'), repoDir, { recursive: true });
});

afterAll(async () => {
  await rm(repoDir, { recursive: true, force: true });
});

describe('proposePatches', () => {
  it('ranks candidates in strategy order and returns valid Patch records without touching the repository', async () => {
    const at = { file: 'bugs/maps.go', line: 21, function: `${P}.(*Registry).Register` };
    const before = await readFile(join(repoDir, at.file), 'utf8');
    const patches = await proposePatches(
      diagnosisAt(at, 'nil-map-write', ['init-map-lazily', 'init-map-at-construction']),
      evidenceAt(at, 'assignment to entry in nil map'),
      incident,
      {
        repoDir,
        incidentDir: repoDir,
        validateTest: false,
      },
    );
    expect(patches.map((p) => [p.rank, p.strategy])).toEqual([
      [1, 'init-map-lazily'],
      [2, 'init-map-at-construction'],
    ]);
    for (const p of patches) expect(Patch.parse(p)).toEqual(p);
    expect(await readFile(join(repoDir, at.file), 'utf8')).toBe(before);
  });

  it('finds the blamed line again after drift', async () => {
    const drifted = { file: 'bugs/guards.go', line: 31, function: `${P}.Head` };
    const [patch] = await proposePatches(
      diagnosisAt(drifted, 'slice-range', ['bounds-check']),
      evidenceAt(drifted, 'slice bounds out of range'),
      incident,
      { repoDir, incidentDir: repoDir, validateTest: false },
    );
    expect(patch?.diff).toContain('+\tif n > len(s) {');
  });

  it('throws NO_CANDIDATE with each strategy and its reason when nothing applies', async () => {
    const at = { file: 'bugs/guards.go', line: 34, function: `${P}.Average` };
    const error = await proposePatches(
      diagnosisAt(at, 'deadlock', ['lock-ordering']),
      evidenceAt(at, 'all goroutines are asleep'),
      incident,
      { repoDir, incidentDir: repoDir },
    ).catch((e: unknown) => e);
    expect(isMedicError(error) && error.code).toBe('MEDIC_ERR_PATCH_NO_CANDIDATE');
    expect(isMedicError(error) && error.details).toMatchObject({
      rejections: [{ strategy: 'lock-ordering' }],
    });
  });

  it('throws NO_CANDIDATE when the blamed function is not in the repository', async () => {
    const at = { file: 'bugs/gone.go', line: 3, function: `${P}.Gone` };
    await expect(
      proposePatches(diagnosisAt(at, 'nil-deref', ['nil-guard']), evidenceAt(at, 'nil'), incident, {
        repoDir,
        incidentDir: repoDir,
      }),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_PATCH_NO_CANDIDATE',
    });
  });
});
