/**
 * The project's only test double: a local HTTP server speaking the OpenAI chat-completions wire
 * format (POST /v1/chat/completions, GET /v1/models), so the real `openai` SDK runs against it.
 *
 * Contract:
 * - Requests are validated like the real API (shape, response_format, strict-schema rules) and
 *   answered 400 `invalid_request_error` when wrong; every request is recorded (raw body included).
 * - Answers come from a script consumed in order (then `fallback`): scripted content (any text,
 *   including invalid JSON, wrong shapes and injected instructions), HTTP errors with headers
 *   (429 + retry-after, 500...), slow answers, dropped connections, or a function of the request.
 * - Options mimic servers that lack strict schemas (vLLM/llama.cpp style 400) or JSON mode.
 * Used by tests only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChatRequest,
  type ChatRequest as ChatRequestT,
  completionBody,
  errorBody,
  messageText,
  strictViolation,
} from './wire.js';

export type Reply =
  | { kind: 'answer'; content: string; model?: string; finishReason?: 'stop' | 'length' }
  | {
      kind: 'error';
      status: number;
      message: string;
      type?: string;
      code?: string;
      headers?: Record<string, string>;
    }
  | { kind: 'slow'; delayMs: number; then: Reply }
  /** Destroys the socket without answering: a connection error for the client. */
  | { kind: 'drop' };

export interface Recorded {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body as received: what left the client, byte for byte. */
  body: string;
  json?: ChatRequestT;
  /** All message texts joined, for assertions. */
  text: string;
}

export type Responder = Reply | ((req: Recorded) => Reply);

export interface LlmServerOptions {
  script?: Responder[];
  /** Used once the script is exhausted. Default: a 500 saying the script ran out. */
  fallback?: Responder;
  /** Answer 400 to json_schema response formats, as servers without structured output do. */
  rejectStrictSchema?: boolean;
  /** Answer 400 to json_object response formats too. */
  rejectJsonMode?: boolean;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
  /** Model name reported in answers. Default: the requested one. */
  model?: string;
}

export interface LlmServer {
  /** Base URL for the SDK, ending in /v1. */
  url: string;
  requests: Recorded[];
  /** Appends replies to the script. */
  push(...replies: Responder[]): void;
  close(): Promise<void>;
}

export const answer = (
  content: string | object,
  extra: Partial<Extract<Reply, { kind: 'answer' }>> = {},
): Reply => ({
  kind: 'answer',
  content: typeof content === 'string' ? content : JSON.stringify(content),
  ...extra,
});
export const httpError = (status: number, message: string, headers: Record<string, string> = {}): Reply => ({
  kind: 'error',
  status,
  message,
  headers,
  type: status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error',
});
export const slow = (delayMs: number, then: Reply): Reply => ({ kind: 'slow', delayMs, then });

const tokensOf = (text: string) => Math.ceil(text.length / 4);

export async function startLlmServer(options: LlmServerOptions = {}): Promise<LlmServer> {
  const script = [...(options.script ?? [])];
  const requests: Recorded[] = [];
  let counter = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_${counter}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

  const reply = (res: ServerResponse, rec: Recorded, r: Reply): void => {
    switch (r.kind) {
      case 'answer': {
        const req = rec.json as ChatRequestT;
        send(
          res,
          200,
          completionBody({
            id: `chatcmpl-double-${rec.index}`,
            model: options.model ?? r.model ?? req.model,
            content: r.content,
            promptTokens: tokensOf(rec.text),
            completionTokens: tokensOf(r.content),
            finishReason: r.finishReason ?? 'stop',
            created: 1_700_000_000 + rec.index,
          }),
        );
        return;
      }
      case 'error':
        send(
          res,
          r.status,
          errorBody(r.message, r.type ?? 'server_error', null, r.code ?? null),
          r.headers ?? {},
        );
        return;
      case 'slow': {
        const timer = setTimeout(() => reply(res, rec, r.then), r.delayMs);
        // The client gave up (timeout, abort): stop the timer, nothing is left to answer.
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'drop':
        res.socket?.destroy();
        return;
    }
  };

  /** Checks a request the way the real endpoint does; returns an error reply or undefined. */
  const check = (json: ChatRequestT, rec: Recorded): Reply | undefined => {
    if (json.stream) return httpError(400, 'stream=true is not supported by the test double');
    if ((json.n ?? 1) !== 1) return httpError(400, 'n must be 1 in the test double');
    const rf = json.response_format;
    if (rf?.type === 'json_schema') {
      if (options.rejectStrictSchema) {
        return httpError(400, "response_format of type 'json_schema' is not supported by this server");
      }
      if (rf.json_schema.strict) {
        const v = strictViolation(rf.json_schema.schema ?? {});
        if (v)
          return httpError(
            400,
            `Invalid schema for response_format '${rf.json_schema.name}': In context=${v}.`,
          );
      }
    }
    if (rf?.type === 'json_object') {
      if (options.rejectJsonMode)
        return httpError(400, "response_format of type 'json_object' is not supported by this server");
      if (!/json/i.test(rec.text)) {
        return httpError(
          400,
          "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        );
      }
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rec: Recorded = {
      index: counter++,
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      text: '',
    };
    requests.push(rec);
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      send(
        res,
        401,
        errorBody('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key'),
      );
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      send(res, 200, {
        object: 'list',
        data: [{ id: options.model ?? 'double', object: 'model', created: 0, owned_by: 'medic' }],
      });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      send(res, 404, errorBody(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error'));
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      send(res, 400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error'));
      return;
    }
    const parsed = ChatRequest.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      send(
        res,
        400,
        errorBody(
          `Invalid request: ${issue?.message}`,
          'invalid_request_error',
          issue?.path.join('.') ?? null,
        ),
      );
      return;
    }
    rec.json = parsed.data;
    rec.text = parsed.data.messages.map(messageText).join('\n');
    const invalid = check(parsed.data, rec);
    if (invalid) {
      reply(res, rec, invalid);
      return;
    }
    const next =
      script.shift() ?? options.fallback ?? httpError(500, 'the test double has no scripted reply left');
    reply(res, rec, typeof next === 'function' ? next(rec) : next);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    push: (...replies) => script.push(...replies),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
