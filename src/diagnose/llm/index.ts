/** The LLM provider: cache, context, N answers (each checked, one repair round), vote, accounting. */
import { randomBytes } from 'node:crypto';
import type { LlmConfig } from '../../core/config.js';
import { DiagnoseError } from '../../core/errors.js';
import { type Diagnosis, type Evidence, type Incident, SCHEMA_VERSION } from '../../core/model.js';
import type { Progress } from '../../core/progress.js';
import { type CacheKeyParts, cacheKey, DiagnosisCache, repoRevision } from '../cache.js';
import { buildContext } from '../context.js';
import { classOf } from '../evidence-view.js';
import type { Sleep, SourceIndex } from '../ports.js';
import { type ChatPort, OpenAiChat } from './client.js';
import { loadPrompt, PROMPT_VERSION } from './prompt.js';
import { realSleep } from './retry.js';
import { type SampleUsage, sampleOnce } from './sample.js';
import { type Ballot, vote } from './vote.js';

export { PROMPT_VERSION } from './prompt.js';

/** What the provider needs from the outside world; tests pass their own sleep to observe retry waits. */
export interface LlmDeps {
  sleep: Sleep;
  now: () => number;
  random: () => number;
  signal?: AbortSignal;
  /** Called before each retry wait. */
  onRetry?: (attempt: number, delayMs: number, reason: unknown) => void;
}

export interface LlmRun extends Partial<LlmDeps> {
  source: SourceIndex;
  llm: LlmConfig;
  samples: number;
  cacheDir?: string;
  progress: Progress;
}

const MAX_SAMPLES = 9;

export async function diagnoseWithLlm(
  evidence: Evidence,
  incident: Incident,
  opts: LlmRun,
): Promise<Diagnosis> {
  const samples = Math.min(MAX_SAMPLES, Math.max(1, Math.trunc(opts.samples)));
  const prompt = loadPrompt(PROMPT_VERSION);
  const cache = opts.cacheDir === undefined ? undefined : new DiagnosisCache(opts.cacheDir);
  let parts: CacheKeyParts | undefined;
  if (cache) {
    parts = {
      signature: evidence.signature,
      repoRevision: await repoRevision(opts.source.repoDir, incident),
      promptVersion: `${prompt.id}#${prompt.digest}`,
      model: opts.llm.model,
      baseUrl: opts.llm.baseUrl,
      samples,
    };
    const hit = await cache.get(cacheKey(parts));
    if (hit) {
      opts.progress(`diagnose: cached answer for ${evidence.signature}`);
      // The record is this incident's; the tokens were paid by an earlier one.
      return {
        ...hit,
        incidentId: incident.id,
        usage: { promptTokens: 0, completionTokens: 0, requests: 0, costUsd: 0, cached: true },
      };
    }
  }

  const chat: ChatPort = new OpenAiChat(opts.llm, {
    sleep: opts.sleep ?? realSleep,
    now: opts.now ?? Date.now,
    random: opts.random ?? Math.random,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onRetry:
      opts.onRetry ??
      ((attempt, delayMs, reason) =>
        opts.progress(
          `diagnose: retry ${attempt} in ${Math.round(delayMs)} ms (${(reason as Error)?.message ?? reason})`,
        )),
  });
  const nonce = randomBytes(4).toString('hex');
  const context = await buildContext({
    evidence,
    source: opts.source,
    budgetTokens: opts.llm.contextTokens,
    nonce,
  });
  opts.progress(
    `diagnose: asking ${opts.llm.model} (${samples} answer${samples > 1 ? 's' : ''}, context ~${context.tokens} tokens` +
      `${context.omitted.length > 0 ? `, left out: ${context.omitted.join(', ')}` : ''})`,
  );
  const values = {
    nonce,
    incidentId: incident.id,
    service: incident.service.name,
    failureClass: classOf(evidence),
    signature: evidence.signature,
    evidenceIds: evidence.items.map((i) => i.id).join(', '),
    context: context.text,
  };
  const usage: SampleUsage = { promptTokens: 0, completionTokens: 0, requests: 0, redactions: {} };
  const temperature = samples > 1 ? opts.llm.sampleTemperature : opts.llm.temperature;
  const ballots: Ballot[] = [];
  const failures: string[][] = [];
  // One after another: parallel samples would only trade latency for 429s on small endpoints.
  for (let i = 0; i < samples; i++) {
    const s = await sampleOnce(chat, values, temperature, evidence, opts.source, usage);
    if (s.ok) ballots.push({ answer: s.answer, alternatives: s.alternatives, model: s.model });
    else failures.push(s.problems);
    if (s.ok && s.repaired) opts.progress(`diagnose: answer ${i + 1} needed the repair round`);
  }
  const redactedCount = Object.values(usage.redactions).reduce((a, b) => a + b, 0);
  if (redactedCount > 0)
    opts.progress(
      `diagnose: redacted ${redactedCount} secret(s): ${Object.keys(usage.redactions).join(', ')}`,
    );

  const outcome = vote(ballots, samples);
  if (!outcome) {
    throw new DiagnoseError(
      'MEDIC_ERR_DIAGNOSE_LLM_INVALID',
      `no usable answer from ${opts.llm.model} after the repair round: ${failures.flat().join('; ')}`,
      // What the failed attempt cost, so that accounting survives the failure.
      {
        details: {
          problems: failures,
          usage: {
            promptTokens: usage.promptTokens,
            completionTokens: usage.completionTokens,
            requests: usage.requests,
          },
        },
      },
    );
  }
  const a = outcome.winner.answer;
  const pricing = opts.llm.pricing;
  const diagnosis: Diagnosis = {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.id,
    rootCauseClass: a.rootCauseClass,
    summary: a.summary,
    location: a.location,
    alternatives: outcome.alternatives.slice(0, 5),
    mechanism: a.mechanism,
    evidenceChain: a.evidenceChain,
    counterfactual: a.counterfactual,
    fixStrategy: a.fixStrategy,
    otherStrategies: a.otherStrategies.filter((s) => s !== a.fixStrategy),
    confidence: samples > 1 ? Math.round(outcome.agreement * 100) / 100 : a.confidence,
    provider: 'llm',
    model: outcome.winner.model,
    promptVersion: prompt.id,
    usage: {
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      requests: usage.requests,
      ...(pricing
        ? {
            costUsd:
              (usage.promptTokens * pricing.inputPerMillion +
                usage.completionTokens * pricing.outputPerMillion) /
              1e6,
          }
        : {}),
      cached: false,
      ...(redactedCount > 0 ? { redactions: usage.redactions } : {}),
    },
  };
  if (cache && parts) await cache.put(cacheKey(parts), parts, diagnosis);
  return diagnosis;
}
