// The LLM provider against the OpenAI-compatible double: success, repair, rejection, timeouts, retries, fallbacks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DiagnoseError, TransportError } from '../../src/core/errors.js';
import type { Evidence, Incident } from '../../src/core/model.js';
import { diagnose } from '../../src/diagnose/index.js';
import type { Answer } from '../../src/diagnose/llm/schema.js';
import { answer, httpError, type LlmServer, slow, startLlmServer } from '../llm-server/server.js';
import { buildCrashlab, CRASHLAB, evidenceFor, recordIncident } from './harness.js';
import { goodAnswer, llmConfig, recordingSleep } from './llm-helpers.js';

let tmp: string;
let evidence: Evidence;
let incident: Incident;
let good: Answer;
let server: LlmServer | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medic-llm-'));
  const { plain } = await buildCrashlab(tmp);
  const rec = await recordIncident(join(tmp, 'incidents'), plain, 'nil-map-write');
  incident = rec.incident;
  evidence = await evidenceFor(rec);
  good = await goodAnswer(evidence, incident);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const run = (s: LlmServer, extra: Parameters<typeof llmConfig>[1] = {}, sleep = recordingSleep().sleep) =>
  diagnose(evidence, incident, {
    repoDir: CRASHLAB,
    provider: 'llm',
    llm: llmConfig(s.url, extra),
    llmDeps: { sleep },
  });

describe('LLM provider', () => {
  it('diagnoses from a strict-schema answer and records model, prompt version and usage', async () => {
    server = await startLlmServer({ script: [answer(good)] });
    const d = await run(server);
    expect(d.provider).toBe('llm');
    expect(d.model).toBe('double-1');
    expect(d.promptVersion).toBe('diagnose.v1');
    expect(d.location).toEqual(good.location);
    expect(d.usage).toMatchObject({ requests: 1, cached: false });
    expect(d.usage?.promptTokens).toBeGreaterThan(100);
    const req = server.requests[0]?.json;
    expect(req?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'medic_diagnosis', strict: true },
    });
    // The context holds the blamed function's source with line numbers, fenced as data.
    expect(server.requests[0]?.text).toMatch(/<data-[0-9a-f]{8} kind="source">/);
    expect(server.requests[0]?.text).toContain(`${good.location.line} | `);
  });

  it('accepts a shortened function name at the right line and records the runtime name', async () => {
    const short = { ...good, location: { ...good.location, function: '(*Stock).Hold' } };
    server = await startLlmServer({ script: [answer(short)] });
    const d = await run(server);
    expect(d.location.function).toBe('example.com/crashlab/internal/inventory.(*Stock).Hold');
    expect(d.usage?.requests).toBe(1);
  });

  it('accounts cost when prices are configured', async () => {
    server = await startLlmServer({ script: [answer(good)] });
    const d = await run(server, { pricing: { inputPerMillion: 1, outputPerMillion: 2 } });
    const u = d.usage;
    expect(u?.costUsd).toBeCloseTo(((u?.promptTokens ?? 0) * 1 + (u?.completionTokens ?? 0) * 2) / 1e6, 10);
  });

  it('repairs invalid JSON once, feeding the error back', async () => {
    server = await startLlmServer({ script: [answer('{"rootCauseClass": "nil-map-write", '), answer(good)] });
    const d = await run(server);
    expect(d.location).toEqual(good.location);
    expect(d.usage?.requests).toBe(2);
    const second = server.requests[1]?.json?.messages ?? [];
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'user']);
    expect(server.requests[1]?.text).toMatch(/<data-[0-9a-f]{8} kind="previous-answer">\n\{"rootCauseClass"/);
    expect(server.requests[1]?.text).toContain('not valid JSON');
  });

  it('repairs a wrong shape, naming the bad fields', async () => {
    server = await startLlmServer({
      script: [answer({ ...good, confidence: 3, evidenceChain: [] }), answer(good)],
    });
    await run(server);
    expect(server.requests[1]?.text).toMatch(/confidence/);
    expect(server.requests[1]?.text).toMatch(/evidenceChain/);
  });

  it('rejects a location that is not in the repository or not on the failure path: MEDIC_ERR_DIAGNOSE_LLM_INVALID', async () => {
    const missing = {
      ...good,
      location: { file: 'internal/nowhere.go', line: 3, function: 'example.com/crashlab/internal.Nowhere' },
    };
    const offPath = {
      ...good,
      location: {
        file: 'internal/convert/convert.go',
        line: 16,
        function: 'example.com/crashlab/internal/convert.Share',
      },
    };
    server = await startLlmServer({ script: [answer(missing), answer(offPath)] });
    const error = await run(server).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnoseError);
    expect(error).toMatchObject({ code: 'MEDIC_ERR_DIAGNOSE_LLM_INVALID' });
    expect(server.requests[1]?.text).toContain('internal/nowhere.go does not exist');
    expect(JSON.stringify((error as DiagnoseError).details)).toContain('neither on the failure');
    expect((error as DiagnoseError).details).toMatchObject({ usage: { requests: 2 } });
  });

  it('rejects a class that contradicts the parsed failure', async () => {
    server = await startLlmServer({
      script: [answer({ ...good, rootCauseClass: 'deadlock' }), answer(good)],
    });
    const d = await run(server);
    expect(d.rootCauseClass).toBe('nil-map-write');
    expect(server.requests[1]?.text).toContain('contradicts the parsed failure');
  });

  it('times out a slow answer: MEDIC_ERR_TRANSPORT_TIMEOUT', async () => {
    server = await startLlmServer({ script: [slow(30_000, answer(good))] });
    const call = run(server, { timeoutMs: 300, maxRetries: 0 });
    await expect(call).rejects.toBeInstanceOf(TransportError);
    await expect(call).rejects.toMatchObject({ code: 'MEDIC_ERR_TRANSPORT_TIMEOUT' });
  });

  it('retries a timeout under the same policy', async () => {
    server = await startLlmServer({ script: [slow(30_000, answer(good)), answer(good)] });
    const d = await run(server, { timeoutMs: 300, maxRetries: 1 });
    expect(d.usage?.requests).toBe(2);
  });

  it('honours retry-after on 429, then succeeds', async () => {
    const rec = recordingSleep();
    server = await startLlmServer({
      script: [httpError(429, 'rate limited', { 'retry-after': '3' }), answer(good)],
    });
    const d = await run(server, {}, rec.sleep);
    expect(rec.sleeps).toEqual([3000]);
    expect(d.usage?.requests).toBe(2);
  });

  it('backs off exponentially on 500s', async () => {
    const rec = recordingSleep();
    server = await startLlmServer({ script: [httpError(500, 'boom'), httpError(503, 'busy'), answer(good)] });
    await run(server, { maxRetries: 2 }, rec.sleep);
    expect(rec.sleeps).toHaveLength(2);
    expect(rec.sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(rec.sleeps[0]).toBeLessThanOrEqual(500);
    expect(rec.sleeps[1]).toBeGreaterThanOrEqual(500);
    expect(rec.sleeps[1]).toBeLessThanOrEqual(1000);
  });

  it('gives up after the retries allowed: MEDIC_ERR_DIAGNOSE_LLM_RATE_LIMITED', async () => {
    server = await startLlmServer({ fallback: httpError(429, 'rate limited', { 'retry-after': '1' }) });
    await expect(run(server, { maxRetries: 1 })).rejects.toMatchObject({
      code: 'MEDIC_ERR_DIAGNOSE_LLM_RATE_LIMITED',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('does not wait for a retry-after beyond the limit', async () => {
    const rec = recordingSleep();
    server = await startLlmServer({
      script: [httpError(429, 'come back tomorrow', { 'retry-after': '86400' })],
    });
    await expect(run(server, {}, rec.sleep)).rejects.toMatchObject({
      code: 'MEDIC_ERR_DIAGNOSE_LLM_RATE_LIMITED',
    });
    expect(rec.sleeps).toEqual([]);
  });

  it('fails on persistent 5xx: MEDIC_ERR_DIAGNOSE_LLM_UNAVAILABLE', async () => {
    server = await startLlmServer({ fallback: httpError(502, 'bad gateway') });
    await expect(run(server, { maxRetries: 1 })).rejects.toMatchObject({
      code: 'MEDIC_ERR_DIAGNOSE_LLM_UNAVAILABLE',
    });
  });

  it('falls back to JSON mode with the schema in the prompt when strict schemas are refused', async () => {
    server = await startLlmServer({ rejectStrictSchema: true, script: [answer(good)] });
    const d = await run(server);
    expect(d.location).toEqual(good.location);
    expect(server.requests.map((r) => r.json?.response_format?.type)).toEqual(['json_schema', 'json_object']);
    expect(server.requests[1]?.text).toContain('must match this JSON schema');
  });

  it('falls back to plain text when JSON mode is refused too, and reads a fenced answer', async () => {
    server = await startLlmServer({
      rejectStrictSchema: true,
      rejectJsonMode: true,
      script: [answer(`\`\`\`json\n${JSON.stringify(good)}\n\`\`\``)],
    });
    const d = await run(server);
    expect(d.location).toEqual(good.location);
    expect(server.requests.at(-1)?.json?.response_format).toBeUndefined();
  });

  it('maps a refused key to MEDIC_ERR_DIAGNOSE_LLM_AUTH and other 4xx to MEDIC_ERR_DIAGNOSE_LLM_REJECTED', async () => {
    server = await startLlmServer({ apiKey: 'another-key', fallback: answer(good) });
    await expect(run(server)).rejects.toMatchObject({ code: 'MEDIC_ERR_DIAGNOSE_LLM_AUTH' });
    await server.close();
    server = await startLlmServer({ script: [httpError(404, 'The model `double-1` does not exist')] });
    await expect(run(server)).rejects.toMatchObject({ code: 'MEDIC_ERR_DIAGNOSE_LLM_REJECTED' });
  });

  it('cannot reach a closed endpoint: MEDIC_ERR_TRANSPORT_CONNECTION', async () => {
    server = await startLlmServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const call = diagnose(evidence, incident, {
      repoDir: CRASHLAB,
      provider: 'llm',
      llm: llmConfig(url, { maxRetries: 0 }),
    });
    await expect(call).rejects.toMatchObject({ code: 'MEDIC_ERR_TRANSPORT_CONNECTION' });
  });

  it('needs an endpoint for provider llm', async () => {
    const call = diagnose(evidence, incident, { repoDir: CRASHLAB, provider: 'llm' });
    await expect(call).rejects.toBeInstanceOf(ConfigError);
  });
});
