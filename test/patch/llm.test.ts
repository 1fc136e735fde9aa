// LLM-proposed patches against the OpenAI-compatible test double: the strict schema on the wire, an accepted proposal ranked with the rules candidates, refusals with their codes, the repair round, redaction and a failing endpoint.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LlmConfig } from '../../src/core/config.js';
import { Diagnosis } from '../../src/core/model.js';
import { proposePatchesWithReasons } from '../../src/patch/index.js';
import { answer, httpError, type LlmServer, startLlmServer } from '../llm-server/server.js';
import { diagnosisAt, evidenceAt, incidentNamed } from './records.js';

const P = 'example.com/ops/bugs';
const blamed = { file: 'bugs/guards.go', line: 15, function: `${P}.Total` };
const SECRET = 'sk-live-4eC39HqLyjWDarjtT1zdp7dc';
const incident = incidentNamed();
let repoDir: string;
let server: LlmServer | undefined;

beforeAll(async () => {
  repoDir = await mkdtemp(join(tmpdir(), 'medic-llm-patch-'));
  await cp(join(import.meta.dirname, 'go/ops'), repoDir, { recursive: true });
});
afterAll(async () => {
  await rm(repoDir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A diagnosis from the LLM provider; its summary quotes a secret, as a panic message can. */
function diagnosis() {
  return Diagnosis.parse({
    ...diagnosisAt(blamed, 'nil-deref', ['nil-guard']),
    summary: `Total dereferences a nil order (token ${SECRET})`,
    provider: 'llm',
  });
}

const NULLS = {
  map: null,
  value: null,
  expr: null,
  channel: null,
  divisor: null,
  collection: null,
  done: null,
  type: null,
  method: null,
  release: null,
  fields: null,
  limit: null,
};
const body = (text: string, imports: string[] = [], fn = `${P}.Total`, line = 15) => ({
  strategy: 'nil-guard',
  explanation: 'Reject a nil order.',
  operations: [],
  replaceBody: { file: 'bugs/guards.go', line, function: fn, body: text, imports },
});
const GOOD_BODY =
  '{\n\tif o == nil {\n\t\treturn 0, errors.New("no order")\n\t}\n\tif o.Qty < 0 {\n\t\treturn 0, errors.New("negative quantity")\n\t}\n\treturn o.Qty * o.Price, nil\n}';

async function propose(url: string) {
  const config = LlmConfig.parse({
    baseUrl: url,
    apiKey: 'k',
    model: 'double-1',
    timeoutMs: 5_000,
    maxRetries: 1,
  });
  return proposePatchesWithReasons(diagnosis(), evidenceAt(blamed, 'nil pointer dereference'), incident, {
    repoDir,
    incidentDir: repoDir,
    validateTest: false,
    maxCandidates: 5,
    llm: { config, sleep: async () => {} },
  });
}

describe('LLM patch proposals', () => {
  it('asks under a strict schema, gates the typed answer and ranks it after the rules candidates of its strategy', async () => {
    server = await startLlmServer({
      script: [
        answer({
          strategy: 'nil-guard',
          explanation: 'Return an error for a nil order.',
          operations: [
            {
              op: 'nil-guard',
              file: 'bugs/guards.go',
              line: 15,
              function: `${P}.Total`,
              ...NULLS,
              value: 'o',
            },
          ],
          replaceBody: null,
        }),
      ],
    });
    const { patches } = await propose(server.url);
    const request = server.requests[0]?.json;
    expect(request?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'medic_patch_proposal', strict: true },
    });
    // The typed answer is the rules' own nil-guard: the duplicate diff is dropped, the rules one kept.
    expect(patches.filter((p) => p.origin === 'llm')).toHaveLength(0);
    expect(server.requests[0]?.text).toMatch(/<data-[0-9a-f]{8} kind="source bugs\/guards.go/);
    expect(server.requests[0]?.body).not.toContain(SECRET);
  });

  it('accepts a body rewrite of the blamed function, with its usage, ranked before last resorts', async () => {
    server = await startLlmServer({ script: [answer(body(GOOD_BODY))] });
    const { patches } = await propose(server.url);
    const llm = patches.find((p) => p.origin === 'llm');
    expect(llm?.diff).toContain('+\tif o == nil {');
    expect(llm?.llm).toMatchObject({ model: 'double-1', promptVersion: 'patch.v1', usage: { requests: 1 } });
    expect(llm?.llm?.usage.promptTokens).toBeGreaterThan(0);
    const lastRules = Math.max(
      ...patches.filter((p) => p.origin === 'rules' && p.strategy === 'nil-guard').map((p) => p.rank),
    );
    const lastResort =
      patches.find((p) => p.strategy === 'recover-and-log')?.rank ?? Number.POSITIVE_INFINITY;
    expect(llm?.rank).toBeGreaterThan(lastRules);
    expect(llm?.rank).toBeLessThan(lastResort);
    expect(patches.map((p) => p.rank)).toEqual(patches.map((_, i) => i + 1));
  });

  it.each([
    ['out of scope', body('{\n\treturn s[:0]\n}', [], `${P}.Head`, 28), 'MEDIC_ERR_PATCH_OUT_OF_SCOPE'],
    [
      'a forbidden import',
      body('{\n\t_ = exec.Command("true")\n\treturn 0, nil\n}', ['os/exec']),
      'MEDIC_ERR_PATCH_FORBIDDEN_IMPORT',
    ],
    ['a body that does not parse', body('{\n\tif o == nil {\n\treturn 0, nil\n}'), 'MEDIC_ERR_PATCH_PARSE'],
    [
      'an answer that is not the schema',
      { strategy: 'nil-guard', operations: 'none' },
      'MEDIC_ERR_PATCH_PROPOSAL_INVALID',
    ],
  ])('refuses %s, tells the model why once, and keeps the rules candidates', async (_label, bad, code) => {
    server = await startLlmServer({ script: [answer(bad), answer(bad)] });
    const { patches, rejections } = await propose(server.url);
    expect(patches.some((p) => p.origin === 'llm')).toBe(false);
    expect(patches.length).toBeGreaterThan(0);
    expect(rejections.filter((r) => r.strategy === 'llm').map((r) => r.code)).toEqual([code, code]);
    // The repair round quotes the refused answer as data and gives the reason.
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.text).toContain('It was refused, for these reasons');
  });

  it('uses the repaired answer when the second one passes the gate', async () => {
    server = await startLlmServer({ script: [answer(body('{\n\treturn 0, nil')), answer(body(GOOD_BODY))] });
    const { patches, rejections } = await propose(server.url);
    expect(patches.find((p) => p.origin === 'llm')?.llm?.usage.requests).toBe(2);
    expect(rejections.find((r) => r.strategy === 'llm')?.code).toBe('MEDIC_ERR_PATCH_PARSE');
  });

  it('records an endpoint that keeps failing as a rejection with its code', async () => {
    server = await startLlmServer({ fallback: httpError(500, 'overloaded') });
    const { patches, rejections } = await propose(server.url);
    expect(patches.length).toBeGreaterThan(0);
    expect(rejections.find((r) => r.strategy === 'llm')?.code).toBe('MEDIC_ERR_DIAGNOSE_LLM_UNAVAILABLE');
  });
});
