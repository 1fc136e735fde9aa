/**
 * The OpenAI chat-completions wire format as the test double checks and answers it: request
 * validation (including response_format and strict-schema rules) and response/error bodies.
 */
import { z } from 'zod';

const Content = z.union([
  z.string(),
  z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()),
  z.null(),
]);

export const ChatMessage = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: Content.optional(),
    name: z.string().optional(),
  })
  .loose();

export const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'json_schema.name must match ^[a-zA-Z0-9_-]{1,64}$'),
      description: z.string().optional(),
      strict: z.boolean().nullable().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormat>;

export const ChatRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(ChatMessage).min(1),
    response_format: ResponseFormat.optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    n: z.number().int().nullable().optional(),
    seed: z.number().int().nullable().optional(),
    stream: z.boolean().nullable().optional(),
  })
  .loose();
export type ChatRequest = z.infer<typeof ChatRequest>;

/** Text of a message, whichever content form it used. */
export function messageText(m: z.infer<typeof ChatMessage>): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => p.text ?? '').join('');
  return '';
}

/**
 * What OpenAI's strict mode demands of a schema: every object lists all its properties as
 * required and forbids additional ones. Returns the first violation's path, or undefined.
 */
export function strictViolation(schema: unknown, path = '#'): string | undefined {
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) {
      const v = strictViolation(s, `${path}/${i}`);
      if (v) return v;
    }
    return undefined;
  }
  if (schema === null || typeof schema !== 'object') return undefined;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' && node.properties && typeof node.properties === 'object') {
    if (node.additionalProperties !== false)
      return `${path}: 'additionalProperties' is required to be supplied and to be false`;
    const props = Object.keys(node.properties);
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = props.filter((p) => !required.includes(p));
    if (missing.length > 0)
      return `${path}: 'required' is required to include every property; missing ${missing.join(', ')}`;
  }
  for (const [key, value] of Object.entries(node)) {
    const v = strictViolation(value, `${path}/${key}`);
    if (v) return v;
  }
  return undefined;
}

export function errorBody(
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
) {
  return { error: { message, type, param, code } };
}

export function completionBody(opts: {
  id: string;
  model: string;
  content: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length';
  created: number;
}) {
  return {
    id: opts.id,
    object: 'chat.completion',
    created: opts.created,
    model: opts.model,
    system_fingerprint: 'fp_medic_double',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: opts.content, refusal: null },
        logprobs: null,
        finish_reason: opts.finishReason,
      },
    ],
    usage: {
      prompt_tokens: opts.promptTokens,
      completion_tokens: opts.completionTokens,
      total_tokens: opts.promptTokens + opts.completionTokens,
    },
  };
}
