// The double speaks the real wire format: the official openai SDK runs against it unmodified.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, httpError, type LlmServer, slow, startLlmServer } from './server.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const client = (s: LlmServer, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
  new OpenAI({ baseURL: s.url, apiKey: 'k', maxRetries: 0, ...extra });

const strictFormat = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'thing',
    strict: true,
    schema: {
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
      additionalProperties: false,
    },
  },
};

describe('test/llm-server', () => {
  it('answers a scripted completion with usage, and records the raw request', async () => {
    server = await startLlmServer({ script: [answer({ a: 'x' })] });
    const c = await client(server).chat.completions.create({
      model: 'm1',
      messages: [{ role: 'user', content: 'hello json' }],
      response_format: strictFormat,
    });
    expect(JSON.parse(c.choices[0]?.message.content ?? '')).toEqual({ a: 'x' });
    expect(c.model).toBe('m1');
    expect(c.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.json?.response_format).toEqual(strictFormat);
    expect(server.requests[0]?.body).toContain('hello json');
  });

  it('rejects a strict schema that OpenAI would reject', async () => {
    server = await startLlmServer({ script: [answer('{}')] });
    const bad = {
      ...strictFormat,
      json_schema: {
        ...strictFormat.json_schema,
        schema: { type: 'object', properties: { a: { type: 'string' } } },
      },
    };
    const call = client(server).chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      response_format: bad,
    });
    await expect(call).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('can refuse json_schema and json_object like servers without structured output', async () => {
    server = await startLlmServer({ rejectStrictSchema: true, rejectJsonMode: true, fallback: answer('{}') });
    const c = client(server);
    await expect(
      c.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'json' }],
        response_format: strictFormat,
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      c.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'json' }],
        response_format: { type: 'json_object' },
      }),
    ).rejects.toMatchObject({ status: 400 });
    const plain = await c.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'json' }],
    });
    expect(plain.choices[0]?.message.content).toBe('{}');
  });

  it('requires the word json for JSON mode, as the real API does', async () => {
    server = await startLlmServer({ fallback: answer('{}') });
    await expect(
      client(server).chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        response_format: { type: 'json_object' },
      }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('returns scripted errors with their headers (429 retry-after, 500)', async () => {
    server = await startLlmServer({
      script: [httpError(429, 'slow down', { 'retry-after': '7' }), httpError(500, 'boom')],
    });
    const c = client(server);
    const first = await c.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(OpenAI.RateLimitError);
    expect((first as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('7');
    const second = await c.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('checks the API key when given one', async () => {
    server = await startLlmServer({ apiKey: 'right', fallback: answer('{}') });
    await expect(
      client(server, { apiKey: 'wrong' }).chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('answers slowly enough for a client timeout, and drops connections', async () => {
    server = await startLlmServer({ script: [slow(5_000, answer('{}')), { kind: 'drop' }] });
    const c = client(server, { timeout: 200 });
    await expect(
      c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect(
      c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('validates the request shape', async () => {
    server = await startLlmServer({ fallback: answer('{}') });
    const res = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('lets a function build the reply from the request', async () => {
    server = await startLlmServer({ fallback: (req) => answer({ echoed: req.json?.model }) });
    const c = await client(server).chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(JSON.parse(c.choices[0]?.message.content ?? '{}')).toEqual({ echoed: 'echo' });
  });
});
