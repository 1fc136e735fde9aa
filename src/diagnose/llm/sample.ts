/** One diagnosis answer from the model: ask, parse, check; on failure one repair round with the problems fed back. */
import type { CodeLocation, Evidence } from '../../core/model.js';
import { fence } from '../context.js';
import type { SourceIndex } from '../ports.js';
import { checkAnswer } from '../validate.js';
import type { ChatAnswer, ChatMessage, ChatPort, OutputMode } from './client.js';
import { loadPrompt, PROMPT_VERSION, REPAIR_PROMPT, render } from './prompt.js';
import { type Answer, answerJsonSchema, parseAnswer } from './schema.js';

export interface PromptValues {
  nonce: string;
  incidentId: string;
  service: string;
  failureClass: string;
  signature: string;
  evidenceIds: string;
  context: string;
}

export type Sampled =
  | { ok: true; answer: Answer; alternatives: CodeLocation[]; model: string; repaired: boolean }
  | { ok: false; problems: string[] };

export interface SampleUsage {
  promptTokens: number;
  completionTokens: number;
  requests: number;
  redactions: Record<string, number>;
}

/** In modes without a server-enforced schema, the schema goes into the prompt itself. */
function schemaNote(mode: OutputMode): string {
  if (mode === 'json_schema') return '';
  return `\n\nThe JSON object must match this JSON schema (all properties required):\n${JSON.stringify(answerJsonSchema())}`;
}

function account(usage: SampleUsage, a: ChatAnswer): void {
  usage.promptTokens += a.promptTokens;
  usage.completionTokens += a.completionTokens;
  usage.requests += a.requests;
  for (const [k, n] of Object.entries(a.redactions)) usage.redactions[k] = (usage.redactions[k] ?? 0) + n;
}

async function judge(content: string, evidence: Evidence, source: SourceIndex) {
  const parsed = parseAnswer(content);
  if (!parsed.ok) return { ok: false as const, problems: [parsed.error] };
  const checked = await checkAnswer(parsed.answer, evidence, source);
  if (checked.problems.length > 0) return { ok: false as const, problems: checked.problems };
  return {
    ok: true as const,
    answer: { ...parsed.answer, location: checked.location },
    alternatives: checked.alternatives,
  };
}

export async function sampleOnce(
  chat: ChatPort,
  values: PromptValues,
  temperature: number,
  evidence: Evidence,
  source: SourceIndex,
  usage: SampleUsage,
): Promise<Sampled> {
  const prompt = loadPrompt(PROMPT_VERSION);
  const repair = loadPrompt(REPAIR_PROMPT);
  const first = (mode: OutputMode): ChatMessage[] => [
    ...(prompt.system
      ? [{ role: 'system' as const, content: render(prompt.system, { ...values, schemaNote: '' }) }]
      : []),
    { role: 'user', content: render(prompt.user, { ...values, schemaNote: schemaNote(mode) }) },
  ];
  const answer = await chat.complete({ messages: first, temperature });
  account(usage, answer);
  const verdict = await judge(answer.content, evidence, source);
  if (verdict.ok) return { ...verdict, model: answer.model, repaired: false };

  const problems = verdict.problems.map((p) => `- ${p}`).join('\n');
  const again = await chat.complete({
    temperature,
    messages: (mode) => [
      ...first(mode),
      {
        role: 'user',
        content: render(repair.user, {
          // The model's answer may quote the panic message: it goes back fenced, like all incident text.
          previous: fence('previous-answer', answer.content, values.nonce),
          problems,
          schemaNote: schemaNote(mode),
        }),
      },
    ],
  });
  account(usage, again);
  const second = await judge(again.content, evidence, source);
  if (second.ok) return { ...second, model: again.model, repaired: true };
  return {
    ok: false,
    problems: [
      ...verdict.problems.map((p) => `first answer: ${p}`),
      ...second.problems.map((p) => `after repair: ${p}`),
    ],
  };
}
