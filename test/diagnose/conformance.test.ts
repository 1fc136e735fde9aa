// One port, one suite: every diagnosis provider must give a checkable Diagnosis on the same real incidents.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Diagnosis, type Evidence, type Incident } from '../../src/core/model.js';
import { failurePath, sameFunction } from '../../src/diagnose/evidence-view.js';
import { type DiagnoseOptions, diagnose, openSource } from '../../src/diagnose/index.js';
import { checkLocation } from '../../src/diagnose/validate.js';
import { answer, type LlmServer, startLlmServer } from '../llm-server/server.js';
import { buildCrashlab, CRASHLAB, evidenceFor, recordIncident } from './harness.js';
import { goodAnswer, llmConfig } from './llm-helpers.js';

const modes = ['nil-map-write', 'deadlock-mutex', 'goroutine-leak'];

let tmp: string;
let server: LlmServer;
const incidents = new Map<string, { evidence: Evidence; incident: Incident }>();

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medic-conformance-'));
  const { plain } = await buildCrashlab(tmp);
  for (const mode of modes) {
    const rec = await recordIncident(join(tmp, 'incidents'), plain, mode);
    incidents.set(mode, { evidence: await evidenceFor(rec), incident: rec.incident });
  }
  // The double answers as a good model would: from the evidence in the request's incident.
  const answers = new Map<string, string>();
  for (const [mode, { evidence, incident }] of incidents)
    answers.set(mode, JSON.stringify(await goodAnswer(evidence, incident)));
  server = await startLlmServer({
    fallback: (req) =>
      answer([...answers.entries()].find(([mode]) => req.text.includes(`Incident ${mode} `))?.[1] ?? '{}'),
  });
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

const providers: Array<{ name: string; options: () => DiagnoseOptions }> = [
  { name: 'rules', options: () => ({ repoDir: CRASHLAB, provider: 'rules' }) },
  { name: 'llm', options: () => ({ repoDir: CRASHLAB, provider: 'llm', llm: llmConfig(server.url) }) },
];

describe.each(providers)('provider $name', ({ name, options }) => {
  it.each(modes)('%s: a Diagnosis a reviewer can check line by line', async (mode) => {
    const { evidence, incident } = incidents.get(mode) as { evidence: Evidence; incident: Incident };
    const d = await diagnose(evidence, incident, options());
    expect(Diagnosis.parse(d)).toEqual(d);
    expect(d.provider).toBe(name);
    expect(d.incidentId).toBe(incident.id);
    const source = openSource(CRASHLAB);
    expect(await checkLocation(d.location, source)).toBeUndefined();
    const path = await failurePath(evidence, source);
    expect(path.some((p) => sameFunction(p, d.location))).toBe(true);
    for (const alt of d.alternatives) expect(await checkLocation(alt, source)).toBeUndefined();
    const ids = evidence.items.map((i) => i.id);
    expect(d.evidenceChain.length).toBeGreaterThanOrEqual(2);
    for (const link of d.evidenceChain) expect(ids).toContain(link.evidenceId);
    expect(d.otherStrategies).not.toContain(d.fixStrategy);
    expect(d.confidence).toBeGreaterThan(0);
    expect(d.confidence).toBeLessThanOrEqual(1);
  });
});
