/**
 * The chat port and its adapter over the official `openai` SDK (any OpenAI-compatible server:
 * OpenAI, vLLM, Ollama, llama.cpp). Strict json_schema output first; servers that reject it get
 * JSON mode, then plain text, each with the schema spelled out in the prompt. Every message is
 * redacted here, at the last point before it leaves the machine.
 */
import OpenAI from 'openai';
import type { LlmConfig } from '../../core/config.js';
import { DiagnoseError, TransportError } from '../../core/errors.js';
import { redact } from '../redact.js';
import type { Classified, RetryDeps } from './retry.js';
import { defaultPolicy, retryAfterMs, withRetry } from './retry.js';
import { answerJsonSchema, SCHEMA_NAME } from './schema.js';

export type OutputMode = 'json_schema' | 'json_object' | 'text';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatCall {
  /** Builds the messages for the output mode in use (non-strict modes carry the schema in the prompt). */
  messages: (mode: OutputMode) => ChatMessage[];
  temperature: number;
  /** The strict json_schema to ask for; default the diagnosis answer (`medic_diagnosis`). */
  responseSchema?: { name: string; schema: Record<string, unknown> };
}

export interface ChatAnswer {
  content: string;
  promptTokens: number;
  completionTokens: number;
  /** HTTP requests made, retries and mode fallbacks included. */
  requests: number;
  model: string;
  mode: OutputMode;
  /** Secrets removed from this call's messages, by kind. */
  redactions: Record<string, number>;
}

/** The port the LLM provider talks to. */
export interface ChatPort {
  complete(call: ChatCall): Promise<ChatAnswer>;
}

const FALLBACK: Record<OutputMode, OutputMode | undefined> = {
  json_schema: 'json_object',
  json_object: 'text',
  text: undefined,
};

/** A 400/422 about response_format: the server cannot do this output mode (vLLM, llama.cpp, older Ollama). */
function rejectsMode(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError) || (error.status !== 400 && error.status !== 422)) return false;
  const text = `${error.message} ${error.param ?? ''} ${JSON.stringify(error.error ?? '')}`;
  return /response_format|json_schema|json_object|structured|strict|schema/i.test(text);
}

function classify(now: () => number) {
  return (error: unknown): Classified => {
    if (error instanceof OpenAI.APIConnectionError)
      return { retryable: !(error instanceof OpenAI.APIUserAbortError) };
    if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
      const retryable = error.status === 408 || error.status === 429 || error.status >= 500;
      const asked = retryAfterMs(error.headers, now());
      return asked === undefined ? { retryable } : { retryable, retryAfterMs: asked };
    }
    return { retryable: false };
  };
}

/** One typed error per way the endpoint can fail, raised once after the retry policy gave up. */
function typed(error: unknown, config: LlmConfig): Error {
  const where = `${config.baseUrl} (model ${config.model})`;
  if (error instanceof OpenAI.APIUserAbortError) {
    return new TransportError('MEDIC_ERR_TRANSPORT_ABORTED', `LLM request to ${where} was cancelled`, {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new TransportError(
      'MEDIC_ERR_TRANSPORT_TIMEOUT',
      `LLM request to ${where} took longer than ${config.timeoutMs} ms`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new TransportError('MEDIC_ERR_TRANSPORT_CONNECTION', `cannot reach the LLM endpoint ${where}`, {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIError) {
    const details = { status: error.status, type: error.type, code: error.code, param: error.param };
    const msg = `LLM endpoint ${where} answered ${error.status}: ${error.message}`;
    if (error.status === 401 || error.status === 403)
      return new DiagnoseError('MEDIC_ERR_DIAGNOSE_LLM_AUTH', msg, { details });
    if (error.status === 429)
      return new DiagnoseError('MEDIC_ERR_DIAGNOSE_LLM_RATE_LIMITED', msg, { details });
    if (typeof error.status === 'number' && error.status >= 500) {
      return new DiagnoseError('MEDIC_ERR_DIAGNOSE_LLM_UNAVAILABLE', msg, { details });
    }
    return new DiagnoseError('MEDIC_ERR_DIAGNOSE_LLM_REJECTED', msg, { details });
  }
  return error instanceof Error ? error : new Error(String(error));
}

export interface ClientDeps extends RetryDeps {
  now: () => number;
  signal?: AbortSignal;
}

export class OpenAiChat implements ChatPort {
  private readonly client: OpenAI;
  /** Remembered across calls: once a server rejected strict schemas, do not ask again. */
  private mode: OutputMode;

  constructor(
    private readonly config: LlmConfig,
    private readonly deps: ClientDeps,
  ) {
    this.client = new OpenAI({
      baseURL: config.baseUrl,
      apiKey: config.apiKey,
      timeout: config.timeoutMs,
      // The retry policy lives in retry.ts; a second loop inside the SDK would multiply attempts.
      maxRetries: 0,
    });
    this.mode = config.output === 'auto' ? 'json_schema' : config.output;
  }

  async complete(call: ChatCall): Promise<ChatAnswer> {
    let requests = 0;
    const policy = defaultPolicy(this.config.maxRetries);
    for (;;) {
      const mode = this.mode;
      const redactions: Record<string, number> = {};
      const messages = call.messages(mode).map((m) => {
        const r = redact(m.content);
        for (const [k, n] of Object.entries(r.found)) redactions[k] = (redactions[k] ?? 0) + n;
        return { role: m.role, content: r.text };
      });
      const body = {
        model: this.config.model,
        messages,
        temperature: call.temperature,
        ...(this.config.maxTokens === undefined ? {} : { max_tokens: this.config.maxTokens }),
        ...responseFormat(mode, call.responseSchema),
      };
      try {
        const completion = await withRetry(
          () => {
            requests++;
            return this.client.chat.completions.create(
              body,
              this.deps.signal ? { signal: this.deps.signal } : {},
            );
          },
          classify(this.deps.now),
          policy,
          this.deps,
          this.deps.signal,
        );
        const choice = completion.choices[0];
        return {
          content: choice?.message.content ?? '',
          promptTokens:
            completion.usage?.prompt_tokens ?? estimateTokens(messages.map((m) => m.content).join('\n')),
          completionTokens:
            completion.usage?.completion_tokens ?? estimateTokens(choice?.message.content ?? ''),
          requests,
          model: completion.model || this.config.model,
          mode,
          redactions,
        };
      } catch (error) {
        const next = FALLBACK[mode];
        if (this.config.output === 'auto' && next && rejectsMode(error)) {
          this.mode = next;
          continue;
        }
        throw typed(error, this.config);
      }
    }
  }
}

function responseFormat(mode: OutputMode, custom?: ChatCall['responseSchema']) {
  if (mode === 'json_schema') {
    const { name, schema } = custom ?? { name: SCHEMA_NAME, schema: answerJsonSchema() };
    return { response_format: { type: 'json_schema' as const, json_schema: { name, strict: true, schema } } };
  }
  return mode === 'json_object' ? { response_format: { type: 'json_object' as const } } : {};
}

/** About four characters per token for English and code; used only when the server reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
