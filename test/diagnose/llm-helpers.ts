/** Shared set-up of the LLM provider tests: config for the double, answers built from real evidence. */
import { LlmConfig } from '../../src/core/config.js';
import type { Diagnosis, Evidence, Incident } from '../../src/core/model.js';
import { diagnose } from '../../src/diagnose/index.js';
import type { Answer } from '../../src/diagnose/llm/schema.js';
import { CRASHLAB } from './harness.js';

export function llmConfig(url: string, extra: Partial<Record<keyof LlmConfig, unknown>> = {}): LlmConfig {
  return LlmConfig.parse({
    baseUrl: url,
    apiKey: 'test-key',
    model: 'double-1',
    timeoutMs: 5_000,
    maxRetries: 2,
    ...extra,
  });
}

/** The answer a good model would give: the rules engine's diagnosis, in the model's answer shape. */
export async function goodAnswer(
  evidence: Evidence,
  incident: Incident,
  repoDir = CRASHLAB,
): Promise<Answer> {
  const d: Diagnosis = await diagnose(evidence, incident, { repoDir, provider: 'rules' });
  return {
    rootCauseClass: d.rootCauseClass,
    summary: d.summary,
    location: d.location,
    alternatives: d.alternatives,
    mechanism: d.mechanism,
    evidenceChain: d.evidenceChain,
    counterfactual: d.counterfactual,
    fixStrategy: d.fixStrategy,
    otherStrategies: d.otherStrategies,
    confidence: 0.8,
  };
}

/** Records the waits the retry policy asks for, without waiting. */
export function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
}
