// ingest() on every recorded fixture incident: the expected class, and the expected blamed
// function among the leading suspects (what the diagnose stage builds on).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExpected, loadIncidentDir } from '../../src/core/incident-dir.js';
import { Evidence } from '../../src/core/model.js';
import { ingest } from '../../src/ingest/index.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'fixtures', 'incidents');
const recorded = existsSync(CORPUS)
  ? readdirSync(CORPUS).filter(
      (name) =>
        existsSync(join(CORPUS, name, 'incident.json')) && existsSync(join(CORPUS, name, 'expected.json')),
    )
  : [];

describe.skipIf(recorded.length === 0)('fixture incidents', () => {
  it.each(recorded)('%s: class and blamed function among the top suspects', async (name) => {
    const source = await loadIncidentDir(join(CORPUS, name));
    const expected = (await loadExpected(source.dir))!;
    const e = await ingest(source.incident, { incidentDir: source.dir, repoDir: source.repoDir });
    expect(Evidence.parse(e)).toBeTruthy();
    expect(e.class).toBe(expected.class);
    const top = e.suspects.slice(0, 3).map((s) => s.location);
    expect(
      top.some((l) => l.function === expected.blamed.function && l.file === expected.blamed.file),
      `${expected.blamed.function} not in ${JSON.stringify(top)}`,
    ).toBe(true);
  });
});
