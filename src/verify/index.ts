/**
 * The verify stage's public face: verify candidate patches in rank order in a sandbox, stop at the
 * first verified one, and report every candidate tried. Also builds a Patch from a diff file.
 */
import { VerifyError } from '../core/errors.js';
import { Patch } from '../core/model.js';
import { Baseline } from './baseline.js';
import { GoToolchain } from './go.js';
import { readRecorded } from './recorded.js';
import { Sandbox } from './sandbox/index.js';
import type { VerifyContext, VerifyOptions, VerifyOutcome } from './types.js';
import { verifyWithBaseline } from './verify.js';
import { createRunDir } from './workspace.js';

export { patchFromDiff } from './patch-file.js';
export type { IsolationMode } from './sandbox/index.js';
export type { VerifyContext, VerifyOptions, VerifyOutcome } from './types.js';

/**
 * Verifies `patches` best first and stops at the first verified one. The original side (workspace,
 * tests before, service build and replay) is computed once and shared by all candidates.
 * Throws VerifyError MEDIC_ERR_VERIFY_NO_CANDIDATES for an empty list, MEDIC_ERR_VERIFY_TOOLCHAIN
 * when Go cannot run and MEDIC_ERR_VERIFY_WORKSPACE when the work directory is unusable.
 */
export async function verifyCandidates(
  patches: Patch[],
  ctx: VerifyContext,
  options: VerifyOptions = {},
): Promise<VerifyOutcome> {
  if (patches.length === 0) {
    throw new VerifyError(
      'MEDIC_ERR_VERIFY_NO_CANDIDATES',
      `no candidate patch for incident ${ctx.incident.id}`,
    );
  }
  // Patches are records from another stage (or a file): validate at the boundary.
  const ranked = patches
    .map((p, i) => {
      const parsed = Patch.safeParse(p);
      if (parsed.success) return parsed.data;
      throw new VerifyError('MEDIC_ERR_VERIFY_BAD_PATCH', `candidate ${i + 1} is not a valid Patch record`, {
        details: parsed.error.issues,
      });
    })
    .sort((a, b) => a.rank - b.rank);
  const go = new GoToolchain({
    ...(options.goBinary ? { binary: options.goBinary } : {}),
    ...(options.goCache ? { cacheDir: options.goCache } : {}),
  });
  const run = await createRunDir(ctx.workDir, `verify-${ctx.incident.id}`);
  const sandbox = new Sandbox(options.isolation ?? 'auto', run.dir);
  const revision = ctx.incident.service.repo.revision;
  const baseline = new Baseline({
    go,
    sandbox,
    runDir: run.dir,
    repoDir: ctx.repoDir,
    ...(revision ? { revision } : {}),
  });
  const recorded = await readRecorded(ctx.incident, ctx.incidentDir);
  const outcome: VerifyOutcome = { verifications: [] };
  try {
    for (const patch of ranked) {
      options.onProgress?.(`verifying candidate ${patch.rank} (${patch.strategy})`);
      const verification = await verifyWithBaseline(patch, ctx, baseline, recorded, options);
      outcome.verifications.push(verification);
      options.onProgress?.(`candidate ${patch.rank}: ${verification.verdict}: ${verification.reason}`);
      if (verification.verdict === 'verified') {
        outcome.chosen = patch;
        break;
      }
    }
  } finally {
    if (!options.keepWorkspace) await run.remove();
  }
  return outcome;
}

/** Verifies one patch (the same checks as for a candidate of rank `patch.rank`). */
export async function verifyPatch(patch: Patch, ctx: VerifyContext, options: VerifyOptions = {}) {
  const outcome = await verifyCandidates([patch], ctx, options);
  const [verification] = outcome.verifications;
  if (verification === undefined) throw new TypeError('verifyPatch: no verification was produced');
  return verification;
}
