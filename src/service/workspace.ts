/**
 * Materialises an incident from the ledger as an incident directory on this worker: incident.json,
 * each artifact written from its stored content, and the service's source located (a local path,
 * or a clone of the repository URL). Idempotent: files already there with the right hash stay.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { git } from '../core/checkout.js';
import { InputError, ServiceError } from '../core/errors.js';
import type { IncidentDir } from '../core/incident-dir.js';
import type { Incident } from '../core/model.js';
import { writeRecord } from '../core/records.js';
import { loadArtifacts } from './ledger/intake.js';
import type { Ledger } from './ledger/ledger.js';

export function incidentDirOf(workDir: string, incidentId: string): string {
  return join(resolve(workDir), 'incidents', incidentId);
}

export function runDirOf(workDir: string, incidentId: string): string {
  return join(resolve(workDir), 'runs', incidentId);
}

export async function materialise(ledger: Ledger, workDir: string, incidentId: string): Promise<IncidentDir> {
  const incident = await ledger.get(incidentId, 'incident');
  if (incident === undefined) {
    throw new ServiceError('MEDIC_ERR_SERVICE_INCIDENT_STATE', `incident ${incidentId} has no stored record`);
  }
  const dir = incidentDirOf(workDir, incidentId);
  await mkdir(dir, { recursive: true });
  const wanted = incident.artifacts.map((a) => a.path);
  const stored = await loadArtifacts(ledger, incidentId, wanted);
  for (const artifact of stored) {
    const file = inside(dir, artifact.path);
    if (existsSync(file) && sha256(await readFile(file)) === artifact.sha256) continue;
    await mkdir(dirname(file), { recursive: true });
    // Write then rename, so a worker killed mid-write leaves no truncated artifact behind.
    await writeFile(`${file}.part`, artifact.content);
    await rename(`${file}.part`, file);
  }
  const missing = wanted.filter((path) => !stored.some((a) => a.path === path));
  if (missing.length > 0) {
    throw new InputError(
      'MEDIC_ERR_INPUT_ARTIFACT_MISSING',
      `incident ${incidentId} names ${missing.join(', ')}, not in the ledger`,
    );
  }
  await writeRecord(join(dir, 'incident.json'), incident);
  const repoDir = await locateSource(incident, runDirOf(workDir, incidentId));
  return { dir, incident, repoDir };
}

/** The service's source: its configured path, or a clone of its URL kept in the run directory. */
async function locateSource(incident: Incident, runDir: string): Promise<string> {
  const { path, url, branch } = incident.service.repo;
  if (path !== undefined) {
    if (!isAbsolute(path) || !existsSync(path)) {
      throw new InputError(
        'MEDIC_ERR_INPUT_REPO_MISSING',
        `service ${incident.service.name}: ${path} is not an absolute path that exists`,
      );
    }
    return path;
  }
  if (url === undefined) {
    throw new InputError(
      'MEDIC_ERR_INPUT_REPO_MISSING',
      `service ${incident.service.name} has neither repo.path nor repo.url`,
    );
  }
  const clone = join(runDir, 'source');
  if (existsSync(join(clone, '.git'))) return clone;
  const partial = `${clone}.part`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(dirname(partial), { recursive: true });
  // `--` ends the options: the URL and branch come from configuration, still never taken as flags.
  const args = ['clone', '--quiet', ...(branch ? ['--branch', branch] : []), '--', url, partial];
  await git(dirname(partial), args);
  await rename(partial, clone);
  return clone;
}

/** `relative` resolved under `dir`; a path that would leave it is refused. */
function inside(dir: string, relative: string): string {
  const file = resolve(dir, relative);
  if (!file.startsWith(dir + sep)) {
    throw new InputError(
      'MEDIC_ERR_INPUT_INVALID_RECORD',
      `artifact path ${relative} leaves the incident directory`,
    );
  }
  return file;
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
