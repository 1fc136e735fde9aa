// The rules engine on every recorded fixture incident: class right, blamed function in the top 3.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExpected, loadIncidentDir } from '../../src/core/incident-dir.js';
import { diagnose } from '../../src/diagnose/index.js';
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
    expect(d.rootCauseClass).toBe(expected?.class);
    const top3 = [d.location, ...d.alternatives].slice(0, 3).map((l) => l.function);
    expect(top3).toContain(expected?.blamed.function);
    expect(expected?.strategies).toContain(d.fixStrategy);
  });
});
