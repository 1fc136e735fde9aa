// The ledger on both drivers (PostgreSQL and PGlite): one schema, one conformance suite.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Incident, SCHEMA_VERSION } from '../../src/core/model.js';
import { openIncident, resolveGroup, storeArtifact } from '../../src/service/ledger/intake.js';
import { Ledger } from '../../src/service/ledger/ledger.js';
import { type OpenedDb, openDb } from '../../src/service/ledger/open.js';
import { incidentDetail, incidentRow, unfinishedIncidents } from '../../src/service/ledger/queries.js';
import { materialise } from '../../src/service/workspace.js';
import { freshDatabase, type TestDatabase } from './db.js';

const FIXTURE_SERVICE = join(import.meta.dirname, '../../fixtures/incidents/nil-map-write/service');

function incident(id: string, title = 'warehouse panicked'): Incident {
  return {
    schemaVersion: SCHEMA_VERSION,
    id,
    source: 'alertmanager',
    receivedAt: new Date().toISOString(),
    title,
    service: {
      name: 'warehouse',
      repo: { path: FIXTURE_SERVICE },
      mainPackage: './cmd/server',
      run: { args: [], env: {} },
    },
    artifacts: [{ kind: 'panic-log', path: 'artifacts/01-panic-log.log' }],
  };
}

const open = (ledger: Ledger, id: string, groupKey: string) =>
  openIncident(ledger, {
    incident: incident(id),
    groupKey,
    delivery: { source: 'alertmanager', alertStatus: 'firing' },
    actor: 'intake:alertmanager',
    reason: 'test',
  });

const drivers: [string, () => Promise<{ db: OpenedDb; cleanup: () => Promise<void> }>][] = [
  [
    'postgres',
    async () => {
      const database: TestDatabase = await freshDatabase();
      const db = await openDb({ databaseUrl: database.url, pgliteDir: '' });
      return { db, cleanup: () => database.drop() };
    },
  ],
  [
    'pglite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'medic-pglite-'));
      const db = await openDb({ pgliteDir: join(dir, 'ledger') });
      return { db, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
];

describe.each(drivers)('ledger on %s', (_name, setup) => {
  let db: OpenedDb;
  let cleanup: () => Promise<void>;
  let ledger: Ledger;
  let work: string;

  beforeAll(async () => {
    ({ db, cleanup } = await setup());
    ledger = new Ledger(db.db);
    work = await mkdtemp(join(tmpdir(), 'medic-ledger-work-'));
  });
  afterAll(async () => {
    await db.close();
    await cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('opens one incident per open alert group, even when deliveries race', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => open(ledger, `race-${i}`, 'am:group-race')),
    );
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    expect(new Set(results.map((r) => r.id))).toEqual(new Set([created[0]?.id]));
  });

  it('stores records as a RecordStore, validated, with attempt counts', async () => {
    await open(ledger, 'rec-1', 'am:group-rec');
    expect(await ledger.get('rec-1', 'incident')).toMatchObject({ id: 'rec-1' });
    expect(await ledger.get('rec-1', 'evidence')).toBeUndefined();
    const first = await ledger.startStage('rec-1', 'ingest', 'w1');
    const second = await ledger.startStage('rec-1', 'ingest', 'w2');
    expect([first.attempt, second.attempt]).toEqual([1, 2]);
    // A NUL byte (possible in a panic message) is not storable in PostgreSQL text: it is replaced.
    await ledger.put('rec-1', 'incident', { ...incident('rec-1'), title: 'bad\u0000byte' });
    expect((await ledger.get('rec-1', 'incident'))?.title).toBe('bad\ufffdbyte');
    await expect(ledger.put('rec-1', 'incident', { id: 'x' } as unknown as Incident)).rejects.toThrow();
    await ledger.audit('rec-1', 'test', 'note', 'a reason with \u0000 inside');
    const detail = await incidentDetail(ledger, 'rec-1');
    expect(detail.stageRuns.map((r) => r.attempt)).toEqual([1, 2]);
    expect(detail.audit.map((a) => a.action)).toEqual(['incident.opened', 'note']);
  });

  it('keeps the group open until the alert resolved and the run finished', async () => {
    const { id } = await open(ledger, 'grp-1', 'am:group-close');
    expect(
      await resolveGroup(ledger, {
        groupKey: 'am:group-close',
        delivery: { source: 'alertmanager' },
        actor: 't',
      }),
    ).toBe(id);
    // Resolved but still running: a new delivery of the group is still this incident.
    expect(await open(ledger, 'grp-2', 'am:group-close')).toEqual({ created: false, id });
    await ledger.finish(id, { status: 'no-fix', reason: 'nothing verified' });
    expect(await open(ledger, 'grp-3', 'am:group-close')).toEqual({ created: true, id: 'grp-3' });
    expect(
      await resolveGroup(ledger, {
        groupKey: 'am:unknown',
        delivery: { source: 'alertmanager' },
        actor: 't',
      }),
    ).toBeUndefined();
  });

  it('makes a second open incident with the same signature its duplicate', async () => {
    await open(ledger, 'sig-1', 'am:sig-a');
    await open(ledger, 'sig-2', 'am:sig-b');
    expect(await ledger.claimSignature('sig-1', 'warehouse', 'nil-map-write:abc', 'nil-map-write')).toEqual(
      {},
    );
    expect(await ledger.claimSignature('sig-1', 'warehouse', 'nil-map-write:abc', 'nil-map-write')).toEqual(
      {},
    );
    expect(await ledger.claimSignature('sig-2', 'warehouse', 'nil-map-write:abc', 'nil-map-write')).toEqual({
      duplicateOf: 'sig-1',
    });
    // A proposal waiting for review keeps the signature; a no-fix releases it.
    await ledger.finish('sig-1', { status: 'proposed', reason: 'waits for review' });
    expect(await ledger.claimSignature('sig-2', 'warehouse', 'nil-map-write:abc', 'nil-map-write')).toEqual({
      duplicateOf: 'sig-1',
    });
    expect((await incidentRow(ledger, 'sig-1')).status).toBe('proposed');
    expect((await unfinishedIncidents(ledger)).map((r) => r.id)).toContain('sig-2');
  });

  it('keeps artifacts and materialises them as an incident directory', async () => {
    await open(ledger, 'art-1', 'am:art');
    const log = Buffer.from('panic: assignment to entry in nil map\n');
    await storeArtifact(ledger, 'art-1', 'artifacts/01-panic-log.log', log, 'upload');
    const dir = await materialise(ledger, work, 'art-1');
    expect(dir.repoDir).toBe(FIXTURE_SERVICE);
    expect(dir.incident.id).toBe('art-1');
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(dir.dir, 'artifacts/01-panic-log.log'))).toEqual(log);
    // Idempotent: a second worker run finds the files in place.
    expect((await materialise(ledger, work, 'art-1')).dir).toBe(dir.dir);
    await open(ledger, 'art-2', 'am:art2');
    await expect(materialise(ledger, work, 'art-2')).rejects.toMatchObject({
      code: 'MEDIC_ERR_INPUT_ARTIFACT_MISSING',
    });
  });
});
