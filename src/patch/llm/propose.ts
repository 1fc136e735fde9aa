/**
 * The LLM patch provider: asks an OpenAI-compatible model (through the diagnose stage's client,
 * with its retries, redaction and output-mode fallbacks) for one fix under a strict JSON schema,
 * passes the answer through the same gate as any proposal, and gives the model one repair round
 * with the gate's reasons. What it cannot use becomes a rejection with the reason, never a crash.
 */
import { randomBytes } from 'node:crypto';
import type { LlmConfig } from '../../core/config.js';
import { isMedicError } from '../../core/errors.js';
import type { Diagnosis, Evidence, Incident, Patch, Usage } from '../../core/model.js';
import type { Progress } from '../../core/progress.js';
import {
  type ChatAnswer,
  type ChatMessage,
  type ChatPort,
  fence,
  loadPrompt,
  OpenAiChat,
  type OutputMode,
  realSleep,
  render,
  strictJsonSchema,
} from '../../diagnose/index.js';
import type { GoRepo, Located } from '../../lang/go/index.js';
import { gateProposal, proposalScope } from '../gate.js';
import { patchPromptValues } from './context.js';
import { parseWire, SCHEMA_NAME, toProposal, WireAnswer } from './schema.js';

export const PATCH_PROMPT = 'patch.v1';
const REPAIR_PROMPT = 'patch-repair.v1';

export interface LlmPatchOptions {
  config: LlmConfig;
  /** Test seams, as in the diagnose stage: waits between retries, clock, jitter, cancellation. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  signal?: AbortSignal;
}

export interface LlmPatchOutcome {
  patch?: Patch;
  /** Why the model's answers were not used (gate codes, or the endpoint's error code). */
  problems: { reason: string; code?: string }[];
  usage: Usage;
}

interface Input {
  repo: GoRepo;
  diagnosis: Diagnosis;
  evidence: Evidence;
  incident: Incident;
  blamed: Located;
  progress: Progress;
}

export async function proposeWithLlm(input: Input, opts: LlmPatchOptions): Promise<LlmPatchOutcome> {
  const { config } = opts;
  const chat: ChatPort = new OpenAiChat(config, {
    sleep: opts.sleep ?? realSleep,
    now: opts.now ?? Date.now,
    random: opts.random ?? Math.random,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onRetry: (attempt, delayMs) => input.progress(`patch: LLM retry ${attempt} in ${Math.round(delayMs)} ms`),
  });
  const prompt = loadPrompt(PATCH_PROMPT);
  const repair = loadPrompt(REPAIR_PROMPT);
  const nonce = randomBytes(4).toString('hex');
  const scope = await proposalScope(input.repo, input.diagnosis, input.evidence);
  const values = await patchPromptValues(input.repo, {
    nonce,
    incidentId: input.incident.id,
    diagnosis: input.diagnosis,
    blamed: input.blamed,
    scope: scope.functions,
    budget: config.contextTokens * 4,
  });
  const schema = strictJsonSchema(WireAnswer);
  const note = (mode: OutputMode) =>
    mode === 'json_schema'
      ? ''
      : `\n\nThe JSON object must match this JSON schema (all properties required):\n${JSON.stringify(schema)}`;
  const first = (mode: OutputMode): ChatMessage[] => [
    ...(prompt.system
      ? [{ role: 'system' as const, content: render(prompt.system, { ...values, schemaNote: '' }) }]
      : []),
    { role: 'user', content: render(prompt.user, { ...values, schemaNote: note(mode) }) },
  ];
  const usage: Usage = { promptTokens: 0, completionTokens: 0, requests: 0, cached: false };
  const problems: LlmPatchOutcome['problems'] = [];
  const account = (a: ChatAnswer) => {
    usage.promptTokens += a.promptTokens;
    usage.completionTokens += a.completionTokens;
    usage.requests += a.requests;
    const redacted = Object.entries(a.redactions);
    if (redacted.length > 0) {
      usage.redactions ??= {};
      for (const [k, n] of redacted) usage.redactions[k] = (usage.redactions[k] ?? 0) + n;
    }
  };
  const request = { responseSchema: { name: SCHEMA_NAME, schema }, temperature: config.temperature };
  let messages = first;
  let model = config.model;
  for (let round = 0; round < 2; round++) {
    input.progress(
      `patch: asking ${config.model} for a fix${round === 0 ? '' : ' again, with the reasons its answer was refused'}`,
    );
    let answer: ChatAnswer;
    try {
      answer = await chat.complete({ ...request, messages });
    } catch (error) {
      // An endpoint that fails leaves the rules candidates; the reason is kept with the rejections.
      if (!isMedicError(error)) throw error;
      problems.push({ reason: `the LLM endpoint failed: ${error.message}`, code: error.code });
      break;
    }
    account(answer);
    model = answer.model;
    const found = await judge(answer.content, input);
    if (found.patch !== undefined) {
      const patch = {
        ...found.patch,
        llm: { model, promptVersion: prompt.id, usage: withCost(usage, config) },
      };
      return { patch, problems, usage: withCost(usage, config) };
    }
    problems.push(found.problem);
    input.progress(`patch: the LLM proposal was refused: ${found.problem.reason}`);
    const previous = answer.content;
    messages = (mode) => [
      ...first(mode),
      {
        role: 'user',
        content: render(repair.user, {
          previous: fence('previous-answer', previous, nonce),
          problems: `- ${found.problem.reason}`,
          schemaNote: note(mode),
        }),
      },
    ];
  }
  return { problems, usage: withCost(usage, config) };
}

async function judge(
  content: string,
  input: Input,
): Promise<
  { patch: Patch; problem?: undefined } | { patch?: undefined; problem: { reason: string; code?: string } }
> {
  const parsed = parseWire(content);
  if (!parsed.ok) return { problem: { reason: parsed.error, code: 'MEDIC_ERR_PATCH_PROPOSAL_INVALID' } };
  try {
    const patch = await gateProposal(toProposal(parsed.answer), {
      repoDir: input.repo.root,
      diagnosis: input.diagnosis,
      evidence: input.evidence,
      incidentId: input.incident.id,
    });
    return { patch };
  } catch (error) {
    if (!isMedicError(error)) throw error;
    return { problem: { reason: error.message, code: error.code } };
  }
}

function withCost(usage: Usage, config: LlmConfig): Usage {
  const p = config.pricing;
  if (p === undefined) return { ...usage };
  return {
    ...usage,
    costUsd: (usage.promptTokens * p.inputPerMillion + usage.completionTokens * p.outputPerMillion) / 1e6,
  };
}
