// The rules engine on every recorded fixture incident: class right, the blamed line top-1 as `medic eval`
// scores it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExpected, loadIncidentDir } from '../../src/core/incident-dir.js';
import { diagnose } from '../../src/diagnose/index.js';
import { locationMatches } from '../../src/eval/score.js';
import { ingest } from '../../src/ingest/index.js';

const ROOT = join(import.meta.dirname, '../../fixtures/incidents');
const recorded = existsSync(ROOT)
  ? readdirSync(ROOT).filter(
      (id) => existsSync(join(ROOT, id, 'incident.json')) && existsSync(join(ROOT, id, 'expected.json')),
    )
  : [];

describe.runIf(recorded.length > 0)('rules engine on the fixture incidents', () => {
  it.each(recorded)('%s', async (id) => {
    const source = await loadIncidentDir(join(ROOT, id));
    const expected = await loadExpected(source.dir);
    const evidence = await ingest(source.incident, { incidentDir: source.dir, repoDir: source.repoDir });
    const d = await diagnose(evidence, source.incident, { repoDir: source.repoDir, provider: 'rules' });
    if (!expected) throw new Error(`${id} has no expected.json`);
    expect(d.rootCauseClass).toBe(expected.class);
    expect(d.location).toSatisfy((l: typeof d.location) => locationMatches(l, expected));
    expect(expected.strategies).toContain(d.fixStrategy);
  });
});
