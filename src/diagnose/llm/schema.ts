/**
 * What the model must answer (a subset of the Diagnosis record: no ids, versions or accounting),
 * and the strict JSON schema sent as `response_format`, generated from the same zod schema.
 */
import { z } from 'zod';
import { CodeLocation, EvidenceLink, FailureClass, FixStrategy } from '../../core/model.js';

export const Answer = z.object({
  rootCauseClass: FailureClass,
  summary: z.string().min(1),
  location: CodeLocation,
  alternatives: z.array(CodeLocation),
  mechanism: z.string().min(1),
  evidenceChain: z.array(EvidenceLink).min(2),
  counterfactual: z.string().min(1),
  fixStrategy: FixStrategy,
  otherStrategies: z.array(FixStrategy),
  confidence: z.number().min(0).max(1),
});
export type Answer = z.infer<typeof Answer>;

export const SCHEMA_NAME = 'medic_diagnosis';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Strict-mode JSON schema: every property required, no extra properties, and none of the
 * ±2^53 integer bounds zod adds (several OpenAI-compatible servers reject them).
 */
export function answerJsonSchema(): Record<string, Json> {
  return strictJsonSchema(Answer);
}

/** The strict-mode JSON schema of any zod schema (also used by the patch stage's proposals). */
export function strictJsonSchema(schema: z.ZodType): Record<string, Json> {
  const raw = z.toJSONSchema(schema) as Record<string, Json>;
  const clean = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(clean);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema') continue;
      if (
        (key === 'maximum' || key === 'minimum') &&
        typeof value === 'number' &&
        Math.abs(value) >= 2 ** 53 - 1
      )
        continue;
      out[key] = clean(value);
    }
    if (
      out.type === 'object' &&
      out.properties &&
      typeof out.properties === 'object' &&
      !Array.isArray(out.properties)
    ) {
      out.required = Object.keys(out.properties);
      out.additionalProperties = false;
    }
    return out;
  };
  return clean(raw) as Record<string, Json>;
}

/** Parses model text as an Answer; the error says what to fix, for the repair round. */
export function parseAnswer(text: string): Parsed<Answer> {
  return parseModelJson(text, Answer);
}

export type Parsed<T> = { ok: true; answer: T } | { ok: false; error: string };

/**
 * Parses model text as JSON of `schema` (also the patch stage's proposals). JSON-mode and
 * schema-less servers sometimes wrap the object in a ```json fence, so one is tolerated.
 */
export function parseModelJson<T>(text: string, schema: z.ZodType<T>): Parsed<T> {
  const t = text.trim();
  const body = /^```(?:json)?\s*\n([\s\S]*?)\n```$/.exec(t)?.[1] ?? t;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, error: `the answer is not valid JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, answer: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 12)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: `the answer does not match the schema: ${issues}` };
}
