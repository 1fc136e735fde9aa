// ingest() with a trace: the generator's run that panics (panic log and trace from one process),
// a trace alone, and a malformed trace inside an incident.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArtifactRef, Evidence, Incident } from '../../src/core/model.js';
import { ingest, renderEvidence } from '../../src/ingest/index.js';
import { buildTracegen, TRACEGEN_DIR, type Tracegen } from './tracegen.js';

let gen: Tracegen;
let dir: string;

beforeAll(async () => {
  gen = await buildTracegen();
  dir = await mkdtemp(join(tmpdir(), 'medic-trace-incident-'));
  const [panicked, calm] = await Promise.all([gen.produce('panic'), gen.produce('calm')]);
  await writeFile(join(dir, 'events.ndjson'), await readFile(panicked.events));
  await writeFile(join(dir, 'panic.log'), panicked.stderr);
  await writeFile(join(dir, 'calm.ndjson'), await readFile(calm.events));
});

afterAll(async () => {
  await gen?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function incident(artifacts: ArtifactRef[]): Incident {
  return Incident.parse({
    schemaVersion: 1,
    id: 'tracegen',
    source: 'cli',
    receivedAt: new Date().toISOString(),
    service: { name: 'tracegen', repo: { path: TRACEGEN_DIR } },
    artifacts,
  });
}

const trace = (path: string): ArtifactRef => ({ kind: 'trace', path, generated: true });

describe('ingest with a trace', () => {
  it('joins the panic log and the trace of one run; both point at the same line', async () => {
    const e = await ingest(incident([{ kind: 'panic-log', path: 'panic.log' }, trace('events.ndjson')]), {
      incidentDir: dir,
      repoDir: TRACEGEN_DIR,
    });
    expect(Evidence.parse(e)).toBeTruthy();
    expect(e.class).toBe('nil-map-write');
    expect(e.trace?.generated).toBe(true);
    expect(e.trace?.panic?.goid).toBe(e.failure?.crashedGoroutineId);
    const top = e.suspects[0]!;
    expect(top.location).toMatchObject({ file: 'main.go', function: 'main.process' });
    expect(top.reasons.map((r) => r.source)).toEqual(expect.arrayContaining(['traceback', 'trace']));
    const traceItems = e.items.filter((i) => i.source === 'trace');
    expect(traceItems.every((i) => i.summary.includes('[generated'))).toBe(true);
    // traceJitter = log10(1 + jitterMs) / log10(1 + 10 000).
    expect(e.signals.traceJitter).toBeCloseTo(Math.log10(1 + e.trace!.jitterMs) / Math.log10(10_001), 10);
    expect(e.signals.traceJitter).toBeGreaterThan(0);
    // The leaking subscribe site stands out in the trace.
    expect(e.suspects.some((s) => s.location.function === 'main.subscribe')).toBe(true);
    const text = renderEvidence(e);
    expect(text).toContain('trace      events.ndjson (generated)');
    expect(text).toMatch(/spawn outlier: main\.subscribe \(.*main\.go:\d+\) ×40/);
    expect(text).toContain(`panic in goroutine ${e.trace?.panic?.goid}: runtime.plainError`);
  });

  it('takes a panic seen only in the trace as the failure, classed by its message', async () => {
    const e = await ingest(incident([trace('events.ndjson')]), { incidentDir: dir, repoDir: TRACEGEN_DIR });
    expect(e.failure).toBeUndefined();
    expect(e.class).toBe('nil-map-write');
    expect(e.signature).toMatch(/^nil-map-write:[0-9a-f]{16}$/);
    expect(e.suspects[0]?.location.function).toBe('main.process');
  });

  it('finds no failure in a calm trace', async () => {
    await expect(
      ingest(incident([trace('calm.ndjson')]), { incidentDir: dir, repoDir: TRACEGEN_DIR }),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_INGEST_NO_FAILURE',
    });
  });

  it('refuses a malformed trace with the trace code', async () => {
    const lines = (await readFile(join(dir, 'calm.ndjson'), 'utf8')).split('\n');
    lines[3] = lines[3]!.replace('"tid":', '"tid":"x","was":');
    await writeFile(join(dir, 'bad.ndjson'), lines.join('\n'));
    await expect(
      ingest(incident([{ kind: 'panic-log', path: 'panic.log' }, trace('bad.ndjson')]), {
        incidentDir: dir,
        repoDir: TRACEGEN_DIR,
      }),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_INGEST_TRACE_INVALID',
      message: expect.stringContaining('line 4'),
    });
  });
});
