/**
 * The audit trail of a finished stage: who or what decided, and why (the evidence's class and
 * signature, the diagnosis and its provider, the patches, each verdict, the proposal). After
 * ingest it also applies signature dedup: the same failure as an open incident ends this one.
 */
import type { QueuedStageName, RunState } from '../../pipeline.js';
import type { ProcessorDeps } from './process.js';

export async function recordDecisions(
  stage: QueuedStageName,
  incidentId: string,
  state: RunState,
  deps: ProcessorDeps,
): Promise<'duplicate' | undefined> {
  const { ledger, workerName } = deps;
  switch (stage) {
    case 'ingest': {
      const evidence = state.evidence;
      if (evidence === undefined) return undefined;
      await ledger.audit(
        incidentId,
        'ingest',
        'evidence.stored',
        `class ${evidence.class}, signature ${evidence.signature}`,
        {
          signals: evidence.signals,
        },
      );
      const claim = await ledger.claimSignature(
        incidentId,
        state.source.incident.service.name,
        evidence.signature,
        evidence.class ?? 'unknown',
      );
      if (claim.duplicateOf === undefined) return undefined;
      const reason = `the same failure (signature ${evidence.signature}) is open as incident ${claim.duplicateOf}`;
      await ledger.audit(incidentId, workerName, 'incident.duplicate', reason, {
        duplicateOf: claim.duplicateOf,
      });
      await ledger.audit(
        claim.duplicateOf,
        workerName,
        'duplicate.recorded',
        `incident ${incidentId} showed the same failure`,
      );
      await ledger.finish(incidentId, {
        status: 'duplicate',
        reason,
        duplicateOf: claim.duplicateOf,
        stoppedAt: 'ingest',
      });
      deps.metrics.finished.inc({ status: 'duplicate' });
      return 'duplicate';
    }
    case 'diagnose': {
      const d = state.diagnosis;
      if (d === undefined) break;
      const actor = d.provider === 'llm' ? `llm:${d.model ?? 'unknown'}` : d.provider;
      await ledger.audit(
        incidentId,
        actor,
        'diagnosis.made',
        `${d.rootCauseClass} at ${d.location.file}:${d.location.line} (confidence ${d.confidence.toFixed(2)}): ${d.summary}`,
      );
      break;
    }
    case 'patch': {
      const patches = state.patches ?? [];
      const list = patches.map((p) => `${p.rank}: ${p.strategy}`).join(', ');
      await ledger.audit(incidentId, 'patch', 'patches.written', `${patches.length} candidate(s): ${list}`);
      break;
    }
    case 'verify': {
      for (const v of state.verifications ?? []) {
        await ledger.audit(
          incidentId,
          'verify',
          'verdict',
          `candidate ${v.patchRank}: ${v.verdict} (${v.reason})`,
        );
        deps.metrics.verdicts.inc({ verdict: v.verdict });
      }
      break;
    }
    case 'propose': {
      const p = state.proposal;
      if (p === undefined) break;
      await ledger.audit(
        incidentId,
        `forge:${p.provider}`,
        'proposal.opened',
        `${p.title} on ${p.branch}: ${p.url ?? p.reviewRef ?? p.commit}`,
      );
      break;
    }
  }
  if (state.outcome?.status === 'no-fix') {
    await ledger.audit(incidentId, stage, 'run.no-fix', state.outcome.reason);
  }
  return undefined;
}
