/**
 * The incident's recorded inputs for replay, read and validated (they are untrusted): the triggering
 * request and normal traffic of an HTTP service, or the input of a batch program.
 */
import { readFile } from 'node:fs/promises';
import { artifactPath } from '../core/incident-dir.js';
import { type Incident, ReplayInput, ReplayRequest } from '../core/model.js';

export interface Recorded {
  mode: 'http' | 'batch';
  trigger?: ReplayRequest;
  traffic: ReplayRequest[];
  input?: ReplayInput;
  /** Why the recorded inputs cannot be used (a bad artifact); the replay checks then say so. */
  problem?: string;
}

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/** Reads the `request`, `traffic` and `input` artifacts the incident names. */
export async function readRecorded(incident: Incident, incidentDir: string): Promise<Recorded> {
  const out: Recorded = { mode: incident.service.mode ?? 'http', traffic: [] };
  const fail = (problem: string): Recorded => ({ mode: out.mode, traffic: [], problem });
  for (const ref of incident.artifacts) {
    if (ref.kind !== 'request' && ref.kind !== 'traffic' && ref.kind !== 'input') continue;
    let text: string;
    try {
      text = await readFile(artifactPath(incidentDir, ref), 'utf8');
    } catch (error) {
      return fail(
        `cannot read ${ref.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const lines = ref.kind === 'traffic' ? text.split('\n') : [text];
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const where = ref.kind === 'traffic' ? `${ref.path} line ${i + 1}` : ref.path;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        return fail(`${where} is not JSON`);
      }
      if (ref.kind === 'input') {
        const parsed = ReplayInput.safeParse(json);
        if (!parsed.success) return fail(`${where} is not a ReplayInput: ${firstIssue(parsed.error)}`);
        out.input = parsed.data;
        continue;
      }
      const parsed = ReplayRequest.safeParse(json);
      if (!parsed.success) return fail(`${where} is not a ReplayRequest: ${firstIssue(parsed.error)}`);
      if (ref.kind === 'request') out.trigger = parsed.data;
      else out.traffic.push(parsed.data);
    }
  }
  return out;
}
