/** The diagnose stage: Evidence + the repository -> a Diagnosis, by the rules engine or an LLM. */
import type { LlmConfig } from '../core/config.js';
import { ConfigError, DiagnoseError } from '../core/errors.js';
import { Diagnosis, type Evidence, type Incident } from '../core/model.js';
import { type Progress, silent } from '../core/progress.js';
import { diagnoseWithLlm, type LlmDeps } from './llm/index.js';
import { diagnoseWithRules } from './rules/index.js';
import { openSource } from './source.js';
import { checkLocation } from './validate.js';

export { fence } from './context.js';
/** The LLM plumbing other stages reuse (the patch stage's proposals): client, prompts, strict schemas. */
export {
  type ChatAnswer,
  type ChatCall,
  type ChatMessage,
  type ChatPort,
  OpenAiChat,
  type OutputMode,
} from './llm/client.js';
export { loadPrompt, PROMPT_VERSION, type PromptTemplate, render } from './llm/prompt.js';
export { realSleep } from './llm/retry.js';
export { type Parsed, parseModelJson, strictJsonSchema } from './llm/schema.js';
export type { FunctionSpan, SourceIndex } from './ports.js';
export { redact, redacted } from './redact.js';
export { knowledgeBase, RULE_VERSION } from './rules/index.js';
export { openSource } from './source.js';

export interface DiagnoseOptions {
  /** The service's checkout; read only. */
  repoDir: string;
  provider: 'rules' | 'llm';
  /** Required for `provider: 'llm'`. */
  llm?: LlmConfig;
  /** Self-consistency: ask N times and vote (LLM only). Default 1. */
  samples?: number;
  /** Where LLM answers are cached; no cache when absent. */
  cacheDir?: string;
  onProgress?: Progress;
  /** Test seams for the LLM provider (sleep between retries, clock); production uses the defaults. */
  llmDeps?: Partial<LlmDeps>;
}

/**
 * Diagnoses one incident. The blamed location always exists in `repoDir` when this resolves;
 * otherwise it throws DiagnoseError (LOCATION_NOT_FOUND, NO_RULE, NO_LOCATION, LLM_*) or TransportError.
 */
export async function diagnose(
  evidence: Evidence,
  incident: Incident,
  opts: DiagnoseOptions,
): Promise<Diagnosis> {
  const progress = opts.onProgress ?? silent;
  const source = openSource(opts.repoDir);
  let diagnosis: Diagnosis;
  if (opts.provider === 'rules') {
    progress('diagnose: rules engine');
    diagnosis = await diagnoseWithRules(evidence, incident, source);
  } else {
    if (!opts.llm) {
      throw new ConfigError(
        'MEDIC_ERR_CONFIG_INVALID',
        'provider llm needs an endpoint: set MEDIC_LLM_BASE_URL and MEDIC_LLM_MODEL (or llm in medic.config.json)',
      );
    }
    diagnosis = await diagnoseWithLlm(evidence, incident, {
      source,
      llm: opts.llm,
      samples: opts.samples ?? 1,
      progress,
      ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }),
      ...(opts.llmDeps ?? {}),
    });
  }
  const problem = await checkLocation(diagnosis.location, source);
  if (problem) throw new DiagnoseError('MEDIC_ERR_DIAGNOSE_LOCATION_NOT_FOUND', problem);
  return Diagnosis.parse(diagnosis);
}
