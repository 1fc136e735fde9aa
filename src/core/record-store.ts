/**
 * The record store port: where each stage's output is kept, keyed by incident id, so a run can
 * resume from the last stored record. The CLI uses a directory of JSON files; the service a ledger.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Diagnosis, Evidence, Incident, Patch, Proposal, Rollout, Verification } from './model.js';
import { readRecord, writeRecord } from './records.js';

export const recordSchemas = {
  incident: Incident,
  evidence: Evidence,
  diagnosis: Diagnosis,
  patches: z.array(Patch),
  verifications: z.array(Verification),
  proposal: Proposal,
  rollout: Rollout,
} as const;

export type RecordKind = keyof typeof recordSchemas;
export type RecordOf<K extends RecordKind> = z.output<(typeof recordSchemas)[K]>;

export interface RecordStore {
  get<K extends RecordKind>(incidentId: string, kind: K): Promise<RecordOf<K> | undefined>;
  put<K extends RecordKind>(incidentId: string, kind: K, record: RecordOf<K>): Promise<void>;
}

/** One incident's records as `<dir>/<kind>.json`: what `medic replay --out DIR` leaves behind. */
export class DirectoryStore implements RecordStore {
  constructor(readonly dir: string) {}

  async get<K extends RecordKind>(_incidentId: string, kind: K): Promise<RecordOf<K> | undefined> {
    const file = this.fileOf(kind);
    if (!existsSync(file)) return undefined;
    return readRecord(file, recordSchemas[kind]) as Promise<RecordOf<K>>;
  }

  async put<K extends RecordKind>(_incidentId: string, kind: K, record: RecordOf<K>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeRecord(this.fileOf(kind), recordSchemas[kind].parse(record));
  }

  fileOf(kind: RecordKind): string {
    return join(this.dir, `${kind}.json`);
  }
}
