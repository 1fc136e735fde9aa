/**
 * The `rollout` section of MedicConfig (read by core's loadConfig) turned into what a rollout
 * runs with: the plan and gate settings, flags over the file over the design's defaults, and the
 * plan as the pull-request body shows it before any rollout has run.
 */
import type { RolloutConfig } from '../core/config.js';
import { ConfigError, isMedicError } from '../core/errors.js';
import type { Rollout } from '../core/model.js';
import { type RolloutSettings, resolveSettings, type SettingsInput } from './plan.js';

const KEYS = [
  'plan',
  'bake',
  'maxErrorRate',
  'maxP99',
  'window',
  'interval',
  'minRequests',
  'maxHold',
] as const satisfies readonly (keyof SettingsInput & keyof RolloutConfig)[];

/**
 * The settings of a rollout: each of `overrides` (command-line flags) that is set, else the config
 * file's value, else the default. A bad value in the file is a ConfigError naming `rollout.<key>`;
 * a bad flag stays an InputError.
 */
export function configuredSettings(config: RolloutConfig, overrides: SettingsInput = {}): RolloutSettings {
  const fromFile: SettingsInput = {};
  for (const key of KEYS) {
    const value = config[key];
    if (value !== undefined) fromFile[key] = value;
  }
  try {
    resolveSettings(fromFile);
  } catch (error) {
    if (!isMedicError(error)) throw error;
    throw new ConfigError('MEDIC_ERR_CONFIG_INVALID', `rollout section: ${error.message}`, { cause: error });
  }
  const merged: SettingsInput = { ...fromFile };
  for (const key of KEYS) {
    const value = overrides[key];
    if (value !== undefined) merged[key] = value;
  }
  return resolveSettings(merged);
}

/** The gates a Rollout record carries, from the settings. */
export function gatesOf(settings: RolloutSettings): Rollout['gates'] {
  return {
    maxErrorRate: settings.maxErrorRate,
    maxP99Ms: settings.maxP99Ms,
    windowSeconds: settings.windowSeconds,
    intervalSeconds: settings.intervalSeconds,
    minRequests: settings.minRequests,
    maxHoldSeconds: settings.maxHoldSeconds,
  };
}

/**
 * The rollout a proposal will get once admitted: the plan and gates a Rollout record would start
 * with, and who must approve (the pull-request body shows it; see ReportRecords.rolloutPlan).
 */
export interface PlannedRollout extends Pick<Rollout, 'plan' | 'gates'> {
  /** With the `github` provider: what counts as reviewed. */
  approval: 'approved' | 'merged';
  /** Unreviewed patches roll out without an operator's `--approve`. */
  allowUnreviewed: boolean;
}

export function plannedRollout(config: RolloutConfig): PlannedRollout {
  const settings = configuredSettings(config);
  return {
    plan: settings.plan,
    gates: gatesOf(settings),
    approval: config.approval,
    allowUnreviewed: config.allowUnreviewed,
  };
}
