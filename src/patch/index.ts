/** The patch stage: a Diagnosis becomes ranked candidate patches of typed tree-sitter edits, each with a regression test. */
import { isMedicError, PatchError } from '../core/errors.js';
import { type Diagnosis, type Evidence, type Incident, Patch, SCHEMA_VERSION } from '../core/model.js';
import { type Progress, silent } from '../core/progress.js';
import { GoRepo, locateFunction } from '../lang/go/index.js';
import { buildCandidate } from './candidate.js';
import { type LlmPatchOptions, proposeWithLlm } from './llm/propose.js';
import { plan, strategiesFor } from './planner.js';
import { generateRegressionTest } from './regression/index.js';

export type { BuiltCandidate } from './candidate.js';
export { buildCandidate } from './candidate.js';
export { unifiedDiff, unifiedDiffs } from './diff.js';
export { type GateContext, gateProposal, type LlmProposal, LlmProposalSchema } from './gate.js';
export { type LlmPatchOptions, PATCH_PROMPT } from './llm/propose.js';
export { applyOperation, LAST_RESORT, Operation } from './ops/index.js';
export { generateRegressionTest } from './regression/index.js';

export interface PatchOptions {
  /** The service's checkout; read only: patches are diffs, never written here. */
  repoDir: string;
  incidentDir: string;
  /** Default 3. */
  maxCandidates?: number;
  onProgress?: Progress;
  /** Check the regression test reproduces the failure on a scratch copy (default true). */
  validateTest?: boolean;
  /**
   * LLM-proposed candidates, gated like any proposal and ranked with the rules ones. Asked when
   * the diagnosis came from the LLM (`when: 'llm-diagnosis'`, the default) or always.
   */
  llm?: LlmPatchOptions & { when?: 'llm-diagnosis' | 'always' };
}

/** Why a strategy or operation gave no candidate; kept for the CLI and the report. */
export interface Rejection {
  strategy: string;
  reason: string;
  code?: string;
}

/**
 * Ranked candidates, best first; throws PatchError MEDIC_ERR_PATCH_NO_CANDIDATE (with every
 * rejection in `details`) when no operation applies.
 */
export async function proposePatches(
  diagnosis: Diagnosis,
  evidence: Evidence,
  incident: Incident,
  opts: PatchOptions,
): Promise<Patch[]> {
  return (await proposePatchesWithReasons(diagnosis, evidence, incident, opts)).patches;
}

export async function proposePatchesWithReasons(
  diagnosis: Diagnosis,
  evidence: Evidence,
  incident: Incident,
  opts: PatchOptions,
): Promise<{ patches: Patch[]; rejections: Rejection[] }> {
  const progress = opts.onProgress ?? silent;
  const repo = new GoRepo(opts.repoDir);
  const blamed = await locateFunction(repo, diagnosis.location);
  if (blamed === undefined) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_NO_CANDIDATE',
      `the blamed function ${diagnosis.location.function} is not in ${diagnosis.location.file}`,
      {
        details: { rejections: [] },
      },
    );
  }
  const { plans, skipped } = await plan({ repo, diagnosis, evidence, blamed });
  const rejections: Rejection[] = [...skipped];
  const patches: Patch[] = [];
  const diffs = new Set<string>();
  const max = opts.maxCandidates ?? 3;
  for (const candidate of plans) {
    if (patches.length >= max) break;
    progress(`patch: trying ${candidate.strategy} (${candidate.ops.map((o) => o.op).join(', ')})`);
    try {
      const built = await buildCandidate(repo, candidate.ops);
      if (diffs.has(built.diff)) continue;
      diffs.add(built.diff);
      patches.push(
        Patch.parse({
          schemaVersion: SCHEMA_VERSION,
          incidentId: incident.id,
          rank: patches.length + 1,
          strategy: candidate.strategy,
          origin: 'rules',
          operations: built.operations,
          diff: built.diff,
          files: built.changes.map((c) => c.path),
          explanation: built.operations.map((o) => o.explanation).join(' '),
        }),
      );
    } catch (error) {
      if (!isMedicError(error)) throw error;
      rejections.push({ strategy: candidate.strategy, reason: error.message, code: error.code });
      progress(`patch: ${candidate.strategy} rejected: ${error.message}`);
    }
  }
  const llm = opts.llm;
  if (llm !== undefined && (llm.when === 'always' || diagnosis.provider === 'llm')) {
    const outcome = await proposeWithLlm({ repo, diagnosis, evidence, incident, blamed, progress }, llm);
    for (const p of outcome.problems)
      rejections.push({ strategy: 'llm', reason: p.reason, ...(p.code ? { code: p.code } : {}) });
    if (outcome.patch !== undefined && !diffs.has(outcome.patch.diff)) patches.push(outcome.patch);
  }
  rank(patches, strategiesFor(diagnosis));
  patches.splice(max);
  if (patches.length === 0) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_NO_CANDIDATE',
      `no edit operation applies to ${diagnosis.location.function}: ${rejections.map((r) => `${r.strategy}: ${r.reason}`).join('; ')}`,
      {
        details: { rejections },
      },
    );
  }
  const test = await generateRegressionTest(repo, diagnosis, evidence, incident, {
    incidentDir: opts.incidentDir,
    onProgress: progress,
    ...(opts.validateTest === undefined ? {} : { validate: opts.validateTest }),
  });
  if (test === undefined)
    progress('patch: no entry point reproduces the failure in a test; candidates carry no regression test');
  return {
    patches: patches.map((p) => (test === undefined ? p : { ...p, regressionTest: test })),
    rejections,
  };
}

/**
 * Orders candidates in place: fixes before last-resort containment, then by the diagnosis's
 * strategy order (unknown strategies after known ones), then rules before LLM proposals; ranks renumbered.
 */
function rank(patches: Patch[], strategies: readonly string[]): void {
  const key = (p: Patch): [number, number, number] => {
    const index = strategies.indexOf(p.strategy);
    return [
      p.operations.some((o) => o.lastResort) || p.strategy === 'recover-and-log' ? 1 : 0,
      index < 0 ? strategies.length : index,
      p.origin === 'rules' ? 0 : 1,
    ];
  };
  const keyed = patches.map((p, i) => ({ p, k: key(p), i }));
  keyed.sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i);
  keyed.forEach((e, i) => {
    patches[i] = { ...e.p, rank: i + 1 };
  });
}
