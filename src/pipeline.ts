/**
 * The stages composed: checkout → ingest → diagnose → patch → verify → propose → report.
 * The CLI and the queue workers both run these steps. Each step stores its record before the
 * next starts, so a run can resume from the last stored record (`resume`).
 */
import { join } from 'node:path';
import { type Checkout, prepareCheckout } from './core/checkout.js';
import type { MedicConfig } from './core/config.js';
import { DiagnoseError, PatchError } from './core/errors.js';
import type { IncidentDir } from './core/incident-dir.js';
import type { Check, Diagnosis, Evidence, Patch, Proposal, Verification } from './core/model.js';
import type { Progress } from './core/progress.js';
import { DirectoryStore, type RecordKind, type RecordOf, type RecordStore } from './core/record-store.js';
import { diagnose } from './diagnose/index.js';
import { ingest } from './ingest/index.js';
import { proposePatches } from './patch/index.js';
import { type Forge, LocalForge, propose } from './propose/index.js';
import {
  type ReportRecords,
  type RolloutPlan,
  type RunOutcome,
  renderMarkdown,
  writeReport,
} from './report/index.js';
import { plannedRollout } from './rollout/index.js';
import { verifyCandidates } from './verify/index.js';

export type StageName = 'checkout' | 'ingest' | 'diagnose' | 'patch' | 'verify' | 'propose' | 'report';

export interface PipelineOptions {
  /** Where the records, the report and the checkout go. */
  outDir: string;
  provider: 'rules' | 'llm';
  config: MedicConfig;
  /** Default: the records as JSON files in `outDir`. */
  store?: RecordStore;
  /** Default: a local branch plus `review.md` in `outDir`. */
  forge?: Forge;
  /** Reuse records already in the store instead of recomputing them. */
  resume?: boolean;
  samples?: number;
  onCheck?: (check: Check) => void;
}

export interface RunState {
  source: IncidentDir;
  checkout?: Checkout;
  evidence?: Evidence;
  diagnosis?: Diagnosis | undefined;
  patches?: Patch[] | undefined;
  verifications?: Verification[];
  chosen?: { patch: Patch; verification: Verification };
  proposal?: Proposal;
  /** The rollout the proposal will get once admitted (shown in its body and the report). */
  rolloutPlan?: RolloutPlan;
  /** Set when a stage ends the run without a fix; later stages but the report are skipped. */
  outcome?: RunOutcome;
  timings: Partial<Record<StageName, number>>;
  reportFiles?: string[];
}

export interface PipelineStep {
  name: StageName;
  title: string;
  run(state: RunState, progress: Progress): Promise<void>;
}

/** The steps of a run, in order; `runPipeline` runs them, the CLI shows them as a live list. */
export function pipelineSteps(options: PipelineOptions): PipelineStep[] {
  const store = options.store ?? new DirectoryStore(options.outDir);
  const forge = options.forge ?? new LocalForge(options.outDir);
  const id = (s: RunState) => s.source.incident.id;
  const repo = (s: RunState) => s.checkout?.dir ?? s.source.repoDir;
  // Resolved up front: a bad rollout section is a ConfigError before any stage runs.
  const rolloutPlan: RolloutPlan = { ...plannedRollout(options.config.rollout), provider: forge.name };

  /** Loads the stored record when resuming, else computes and stores it. */
  async function stored<K extends RecordKind>(s: RunState, kind: K, compute: () => Promise<RecordOf<K>>) {
    const existing = options.resume ? await store.get(id(s), kind) : undefined;
    if (existing !== undefined) return existing;
    const record = await compute();
    await store.put(id(s), kind, record);
    return record;
  }

  return [
    {
      name: 'checkout',
      title: 'Check out the service source',
      run: async (s) => {
        await store.put(id(s), 'incident', s.source.incident);
        const revision = s.source.incident.service.repo.revision;
        s.checkout = await prepareCheckout(s.source.repoDir, join(options.outDir, 'repo'), revision);
      },
    },
    {
      name: 'ingest',
      title: 'Read the evidence',
      run: async (s, onProgress) => {
        s.evidence = await stored(s, 'evidence', () =>
          ingest(s.source.incident, { incidentDir: s.source.dir, repoDir: repo(s), onProgress }),
        );
      },
    },
    {
      name: 'diagnose',
      title: `Diagnose the root cause (${options.provider})`,
      run: async (s, onProgress) => {
        const evidence = required(s.evidence);
        s.diagnosis = await endsRunOn(s, 'diagnose', DiagnoseError, () =>
          stored(s, 'diagnosis', () =>
            diagnose(evidence, s.source.incident, {
              repoDir: repo(s),
              provider: options.provider,
              ...(options.config.llm ? { llm: options.config.llm } : {}),
              ...(options.samples ? { samples: options.samples } : {}),
              cacheDir: join(options.config.workDir, 'cache', 'diagnose'),
              onProgress,
            }),
          ),
        );
      },
    },
    {
      name: 'patch',
      title: 'Write candidate patches',
      run: async (s, onProgress) => {
        const diagnosis = required(s.diagnosis);
        s.patches = await endsRunOn(s, 'patch', PatchError, () =>
          stored(s, 'patches', () =>
            proposePatches(diagnosis, required(s.evidence), s.source.incident, {
              repoDir: repo(s),
              incidentDir: s.source.dir,
              ...(options.provider === 'llm' && options.config.llm
                ? { llm: { config: options.config.llm } }
                : {}),
              onProgress,
            }),
          ),
        );
      },
    },
    {
      name: 'verify',
      title: 'Verify in a sandbox',
      run: async (s, onProgress) => {
        const patches = required(s.patches);
        const ctx = {
          incident: s.source.incident,
          evidence: required(s.evidence),
          incidentDir: s.source.dir,
          repoDir: repo(s),
          workDir: join(options.outDir, 'verify'),
        };
        s.verifications = await stored(s, 'verifications', async () => {
          const outcome = await verifyCandidates(patches, ctx, {
            goBinary: options.config.goBinary,
            onProgress,
            onCheck: (check: Check) => {
              onProgress(`${check.name}: ${check.outcome} (${(check.durationMs / 1000).toFixed(1)} s)`);
              options.onCheck?.(check);
            },
          });
          return outcome.verifications;
        });
        const verification = s.verifications.find((v) => v.verdict === 'verified');
        const patch = patches.find((p) => p.rank === verification?.patchRank);
        if (verification && patch) {
          s.chosen = { patch, verification };
        } else {
          const reasons = s.verifications.map((v) => `candidate ${v.patchRank}: ${v.verdict} (${v.reason})`);
          s.outcome = {
            status: 'no-fix',
            stoppedAt: 'verify',
            reason: `No candidate was verified: ${reasons.join('; ')}`,
          };
        }
      },
    },
    {
      name: 'propose',
      title: 'Propose the fix for review',
      run: async (s) => {
        const chosen = required(s.chosen);
        s.rolloutPlan = rolloutPlan;
        const body = renderMarkdown(reportRecords(s), { audience: 'pull-request' });
        s.proposal = await stored(s, 'proposal', () =>
          propose(
            { incident: s.source.incident, diagnosis: required(s.diagnosis), ...chosen, body },
            { repoDir: repo(s), forge },
          ),
        );
        s.outcome = {
          status: 'verified',
          reason: `Candidate ${chosen.patch.rank} passed every check; it waits for review on ${s.proposal.branch}.`,
        };
      },
    },
    {
      name: 'report',
      title: 'Write the report',
      run: async (s) => {
        s.reportFiles = await writeReport(options.outDir, reportRecords(s));
      },
    },
  ];
}

/** Runs every step in order; steps after a "no fix" outcome are skipped, except the report. */
export async function runPipeline(
  source: IncidentDir,
  options: PipelineOptions,
  listener: {
    onStep?: (step: PipelineStep, state: 'start' | 'done' | 'skipped') => void;
    onProgress?: Progress;
  } = {},
): Promise<RunState> {
  const state: RunState = { source, timings: {} };
  for (const step of pipelineSteps(options)) {
    if (shouldSkip(state, step)) {
      listener.onStep?.(step, 'skipped');
      continue;
    }
    listener.onStep?.(step, 'start');
    await timed(state, step, listener.onProgress ?? (() => {}));
    listener.onStep?.(step, 'done');
  }
  return state;
}

export function shouldSkip(state: RunState, step: PipelineStep): boolean {
  return state.outcome !== undefined && step.name !== 'report';
}

export async function timed(state: RunState, step: PipelineStep, progress: Progress): Promise<void> {
  const started = performance.now();
  try {
    await step.run(state, progress);
  } finally {
    state.timings[step.name] = performance.now() - started;
  }
}

export function reportRecords(s: RunState): ReportRecords {
  return {
    incident: s.source.incident,
    ...(s.evidence ? { evidence: s.evidence } : {}),
    ...(s.diagnosis ? { diagnosis: s.diagnosis } : {}),
    ...(s.patches ? { patches: s.patches } : {}),
    ...(s.verifications ? { verifications: s.verifications } : {}),
    ...(s.proposal ? { proposal: s.proposal } : {}),
    ...(s.rolloutPlan ? { rolloutPlan: s.rolloutPlan } : {}),
    outcome: s.outcome ?? { status: 'no-fix', reason: 'The run did not finish.' },
    timings: s.timings,
  };
}

/** A stage error of `kind` ends the run with "no fix" (and its reason) instead of failing it. */
async function endsRunOn<T>(
  s: RunState,
  stage: StageName,
  kind: typeof DiagnoseError | typeof PatchError,
  body: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof kind)) throw error;
    s.outcome = { status: 'no-fix', stoppedAt: stage, reason: `${error.code}: ${error.message}` };
    return undefined;
  }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('pipeline: a step ran before the step that produces its input');
  return value;
}

/** The record each queued stage stores; a stage whose record is stored has nothing left to compute. */
export const STAGE_RECORD = {
  ingest: 'evidence',
  diagnose: 'diagnosis',
  patch: 'patches',
  verify: 'verifications',
  propose: 'proposal',
} as const satisfies Partial<Record<StageName, RecordKind>>;
export type QueuedStageName = keyof typeof STAGE_RECORD;

export interface StageDeps extends Omit<PipelineOptions, 'store' | 'resume'> {
  store: RecordStore;
  /** The incident as a directory on this machine (artifacts materialised, source located). */
  source: (incidentId: string) => Promise<IncidentDir>;
  onProgress?: Progress;
}

/**
 * Runs one stage of an incident for a queue worker, with the same steps as `runPipeline`: the
 * earlier stages' records are loaded from the store (never recomputed when stored), the checkout
 * is prepared unless the stage's record is already stored, then the stage runs and stores its
 * record. The returned state says whether the run ended (`outcome`).
 */
export async function runStage(
  name: QueuedStageName,
  incidentId: string,
  deps: StageDeps,
): Promise<RunState> {
  const source = await deps.source(incidentId);
  const state: RunState = { source, timings: {} };
  const done = (await deps.store.get(incidentId, STAGE_RECORD[name])) !== undefined;
  for (const step of pipelineSteps({ ...deps, resume: true })) {
    if (step.name === 'checkout' && done) continue;
    if (shouldSkip(state, step) || step.name === 'report') break;
    await timed(state, step, deps.onProgress ?? (() => {}));
    if (step.name === name) break;
  }
  return state;
}
