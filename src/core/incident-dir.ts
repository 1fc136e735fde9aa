/**
 * An incident directory as the CLI and fixtures hold it: `incident.json` (the Incident record),
 * the artifacts it names (paths relative to the directory), and the service's source.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from './errors.js';
import { type ArtifactRef, ExpectedOutcome, Incident } from './model.js';
import { readRecord } from './records.js';

export interface IncidentDir {
  /** Absolute path of the incident directory. */
  dir: string;
  incident: Incident;
  /** Absolute path of the service's source as recorded (never modified by Medic). */
  repoDir: string;
}

/** Loads and checks an incident directory; every problem is an InputError that names the file. */
export async function loadIncidentDir(path: string): Promise<IncidentDir> {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `incident directory ${path} does not exist`);
  }
  const incidentFile = join(dir, 'incident.json');
  if (!existsSync(incidentFile)) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `${path} has no incident.json`);
  }
  const incident = await readRecord(incidentFile, Incident);
  for (const artifact of incident.artifacts) {
    const file = artifactPath(dir, artifact);
    if (!existsSync(file)) {
      throw new InputError(
        'MEDIC_ERR_INPUT_ARTIFACT_MISSING',
        `incident.json names ${artifact.path}, which is not in ${path}`,
      );
    }
  }
  const repoPath = incident.service.repo.path;
  if (repoPath === undefined) {
    throw new InputError('MEDIC_ERR_INPUT_REPO_MISSING', `incident ${incident.id} has no service.repo.path`);
  }
  const repoDir = isAbsolute(repoPath) ? repoPath : join(dir, repoPath);
  if (!existsSync(join(repoDir, 'go.mod'))) {
    throw new InputError('MEDIC_ERR_INPUT_REPO_MISSING', `service.repo.path ${repoPath} has no go.mod`);
  }
  return { dir, incident, repoDir };
}

export function artifactPath(dir: string, artifact: ArtifactRef): string {
  return isAbsolute(artifact.path) ? artifact.path : join(dir, artifact.path);
}

/** The fixture's `expected.json`, when there is one (fixtures and eval only). */
export async function loadExpected(dir: string): Promise<ExpectedOutcome | undefined> {
  const file = join(dir, 'expected.json');
  return existsSync(file) ? readRecord(file, ExpectedOutcome) : undefined;
}
