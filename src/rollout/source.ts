/**
 * What a rollout starts from: a run directory (`medic replay --out`) with the proposal, the
 * verifications and the checkout, found from itself or from its incident directory; and the
 * incident's failure signature, which the signature gate watches for.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { artifactPath } from '../core/incident-dir.js';
import type { Evidence, Incident, Proposal, Rollout, Verification } from '../core/model.js';
import { DirectoryStore } from '../core/record-store.js';
import { parseFailures, readModulePath } from '../ingest/index.js';

export interface RolloutSource {
  /** The run directory the records are read from and the Rollout record is stored in. */
  runDir: string;
  incident: Incident;
  evidence?: Evidence;
  verifications: Verification[];
  proposal?: Proposal;
  rollout?: Rollout;
  /** The run's checkout holding the stable commit and the fix branch. */
  repoDir: string;
  /** The failure signature (`class:<16 hex>`); absent when no artifact shows a failure. */
  signature?: string;
}

/** Loads `target` (a run directory, or an incident directory whose run is under `<workDir>/runs`). */
export async function loadRolloutSource(target: string, workDir: string): Promise<RolloutSource> {
  const dir = resolve(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `${target} is not a directory`);
  }
  const own = new DirectoryStore(dir);
  const incident = await own.get('', 'incident');
  if (incident === undefined)
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `${target} has no incident.json`);
  const runDir = isRunDir(dir) ? dir : resolve(workDir, 'runs', incident.id);
  const store = new DirectoryStore(runDir);
  const [evidence, verifications, proposal, rollout] = await Promise.all([
    store.get(incident.id, 'evidence'),
    store.get(incident.id, 'verifications'),
    store.get(incident.id, 'proposal'),
    store.get(incident.id, 'rollout'),
  ]);
  const signature = evidence?.signature ?? (await signatureFromArtifacts(incident, dir));
  return {
    runDir,
    incident,
    ...(evidence ? { evidence } : {}),
    verifications: verifications ?? [],
    ...(proposal ? { proposal } : {}),
    ...(rollout ? { rollout } : {}),
    repoDir: join(runDir, 'repo'),
    ...(signature ? { signature } : {}),
  };
}

function isRunDir(dir: string): boolean {
  return ['proposal.json', 'verifications.json', 'evidence.json'].some((f) => existsSync(join(dir, f)));
}

/** The first failure's signature in the incident's logs, parsed as ingest parses them. */
async function signatureFromArtifacts(incident: Incident, dir: string): Promise<string | undefined> {
  const repoPath = incident.service.repo.path;
  const repoDir = repoPath === undefined ? undefined : isAbsolute(repoPath) ? repoPath : join(dir, repoPath);
  const modulePath = repoDir === undefined ? undefined : await readModulePath(repoDir);
  for (const artifact of incident.artifacts) {
    if (artifact.kind !== 'panic-log' && artifact.kind !== 'log') continue;
    const file = artifactPath(dir, artifact);
    if (!existsSync(file)) continue;
    const failures = parseFailures(await readFile(file, 'utf8'), {
      artifact: artifact.path,
      ...(modulePath ? { modulePath } : {}),
    });
    const first = failures[0];
    if (first !== undefined) return first.signature;
  }
  return undefined;
}
