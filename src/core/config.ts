/**
 * Configuration: `medic.config.json` (optional, in the working directory or MEDIC_CONFIG)
 * overlaid by MEDIC_* environment variables. Validated once; stages receive the parts they need.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

export const LlmConfig = z.object({
  /** OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://localhost:11434/v1. */
  baseUrl: z.string().url(),
  apiKey: z.string().default('none'),
  model: z.string().min(1),
  /** Per-request time limit. Default 60 s. */
  timeoutMs: z.number().int().positive().default(60_000),
  maxRetries: z.number().int().min(0).default(2),
  /**
   * Structured output: `auto` asks for a strict json_schema and falls back to JSON mode, then to
   * plain text, when the server rejects it. Pin a mode for servers known to lack one. Default `auto`.
   */
  output: z.enum(['auto', 'json_schema', 'json_object', 'text']).default('auto'),
  /** Sampling temperature of a single answer. Default 0. */
  temperature: z.number().min(0).max(2).default(0),
  /** Temperature of each answer when several are sampled (`--samples N`). Default 0.7. */
  sampleTemperature: z.number().min(0).max(2).default(0.7),
  /** Upper bound on the answer length, in tokens; unset leaves it to the server. */
  maxTokens: z.number().int().positive().optional(),
  /** Budget for the incident context in the prompt, in (estimated) tokens. Default 12000. */
  contextTokens: z.number().int().min(1000).default(12_000),
  /** Prices in USD per million tokens, for the cost in the Diagnosis' usage; no cost when unset. */
  pricing: z.object({ inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) }).optional(),
});
export type LlmConfig = z.infer<typeof LlmConfig>;

const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const duration = (what: string) =>
  z.string().regex(DURATION, `${what} is a duration such as 800ms, 30s, 5m or 1m30s`).optional();
/** A number in JSON, or the flag syntax as a string (`"3%"`). */
const numeric = z
  .union([z.number().min(0), z.string().min(1)])
  .transform(String)
  .optional();

/**
 * The `rollout` section: who must approve before a fix meets production, where the gates read
 * their metrics, and the plan and gate defaults of `medic rollout` and of the service's rollout
 * stage (flag syntax; the rollout stage checks the values' meaning, e.g. increasing weights).
 */
export const RolloutConfig = z.object({
  /** With the `github` provider: an approving review suffices (`approved`; a merge does too) or only a merge. */
  approval: z.enum(['approved', 'merged']).default('approved'),
  /** Roll out an unreviewed patch (the `local` provider, or a pull request not approved) without `--approve`. */
  allowUnreviewed: z.boolean().default(false),
  /** Prometheus the SLO gates query. */
  prometheusUrl: z.string().url().default('http://127.0.0.1:9090'),
  /** Canary weights in percent, `5,25,50,100` by default. */
  plan: z
    .string()
    .regex(/^\s*\d+(\.\d+)?%?\s*(,\s*\d+(\.\d+)?%?\s*)*$/, 'plan is a list of weights such as 5,25,50,100')
    .optional(),
  /** One bake for every step (`5m`) or one per step (`30s,1m,1m,5m`). */
  bake: z
    .string()
    .regex(/^(\d+(\.\d+)?(ms|s|m|h))+(,(\d+(\.\d+)?(ms|s|m|h))+)*$/, 'bake is a duration, or one per step')
    .optional(),
  maxErrorRate: numeric,
  maxP99: duration('maxP99'),
  window: duration('window'),
  interval: duration('interval'),
  minRequests: numeric,
  maxHold: duration('maxHold'),
  /** Where the local driver's proxy serves the service. */
  listen: z.string().min(1).default('127.0.0.1:8080'),
  /** Where the local deployment serves `/metrics` (Prometheus scrapes it) and its admin API. */
  adminListen: z.string().min(1).default('127.0.0.1:9464'),
});
export type RolloutConfig = z.infer<typeof RolloutConfig>;

export const MedicConfig = z.object({
  /** `go` binary to run. Default: `go` on PATH. */
  goBinary: z.string().default('go'),
  /** Where runs, workspaces and caches go. Default: `.medic` in the working directory. */
  workDir: z.string().default('.medic'),
  llm: LlmConfig.optional(),
  rollout: RolloutConfig.default(RolloutConfig.parse({})),
});
export type MedicConfig = z.infer<typeof MedicConfig>;

/** Loads the configuration from `cwd` and `env`; throws ConfigError naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): MedicConfig {
  const file = env.MEDIC_CONFIG ?? resolve(cwd, 'medic.config.json');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError('MEDIC_ERR_CONFIG_INVALID', `${file} is not valid JSON`, { cause: error });
    }
  }
  const llmFromFile = (fromFile.llm ?? {}) as Record<string, unknown>;
  const llm = {
    ...llmFromFile,
    ...(env.MEDIC_LLM_BASE_URL ? { baseUrl: env.MEDIC_LLM_BASE_URL } : {}),
    ...(env.MEDIC_LLM_API_KEY ? { apiKey: env.MEDIC_LLM_API_KEY } : {}),
    ...(env.MEDIC_LLM_MODEL ? { model: env.MEDIC_LLM_MODEL } : {}),
  };
  const rolloutFromFile = fromFile.rollout ?? {};
  const rollout =
    typeof rolloutFromFile === 'object' && rolloutFromFile !== null
      ? {
          ...rolloutFromFile,
          ...(env.MEDIC_PROMETHEUS_URL ? { prometheusUrl: env.MEDIC_PROMETHEUS_URL } : {}),
          ...(env.MEDIC_ROLLOUT_ALLOW_UNREVIEWED
            ? {
                allowUnreviewed: ['1', 'true', 'yes'].includes(
                  env.MEDIC_ROLLOUT_ALLOW_UNREVIEWED.toLowerCase(),
                ),
              }
            : {}),
        }
      : rolloutFromFile;
  const merged = {
    ...fromFile,
    ...(env.MEDIC_GO ? { goBinary: env.MEDIC_GO } : {}),
    ...(env.MEDIC_WORK_DIR ? { workDir: env.MEDIC_WORK_DIR } : {}),
    llm: Object.keys(llm).length > 0 ? llm : undefined,
    rollout,
  };
  const parsed = MedicConfig.safeParse(merged);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError('MEDIC_ERR_CONFIG_INVALID', `invalid configuration: ${fields}`, {
      details: parsed.error.issues,
    });
  }
  return parsed.data;
}
