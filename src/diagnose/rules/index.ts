/** The rules provider: the embedded default diagnosis, from the knowledge base, with no network. */
import { DiagnoseError } from '../../core/errors.js';
import { type Diagnosis, type Evidence, type Incident, SCHEMA_VERSION } from '../../core/model.js';
import { classOf, clip, crashedGoroutine, sameFunction } from '../evidence-view.js';
import type { SourceIndex } from '../ports.js';
import { redacted } from '../redact.js';
import { evidenceChain } from './chain.js';
import type { Facts, Located } from './facts.js';
import { knowledgeBase, RULE_VERSION } from './kb.js';
import { twistText } from './kb-twists.js';
import { fromSuspects, locators } from './locate.js';
import { refine } from './refine.js';
import { capitalise } from './words.js';

export { knowledgeBase, RULE_VERSION } from './kb.js';

const MAX_ALTERNATIVES = 5;

export async function diagnoseWithRules(
  evidence: Evidence,
  incident: Incident,
  source: SourceIndex,
): Promise<Diagnosis> {
  const cls = classOf(evidence);
  const rule = knowledgeBase[cls];
  if (!rule) {
    throw new DiagnoseError(
      'MEDIC_ERR_DIAGNOSE_NO_RULE',
      `no rule for failure class ${cls} (${evidence.signature})`,
    );
  }
  let located: Located | undefined;
  for (const name of rule.locators) {
    located = await locators[name](evidence, source);
    if (located) break;
  }
  located ??= fromSuspects(evidence);
  if (!located) {
    throw new DiagnoseError(
      'MEDIC_ERR_DIAGNOSE_NO_LOCATION',
      `the ${cls} failure has no frame, profile stack or suspect in the repository ${source.repoDir}`,
    );
  }
  const fromSource = await refine(cls, evidence, source, located);
  const blamed = located.primary;
  const code = (await source.lines(blamed.file))?.[blamed.line - 1]?.trim();
  const failure = evidence.failure;
  const signal = failure?.signal;
  const facts: Facts = {
    ...located.facts,
    cls,
    blamed,
    ...(code ? { code } : {}),
    message: redacted(clip(failure?.message ?? '')),
    ...(signal ? { signal: `${signal.name}${signal.addr ? ` addr=${signal.addr}` : ''}` } : {}),
    ...(located.facts.goroutineId === undefined && failure ? goroutineOf(failure) : {}),
    citations: located.facts.citations ?? [],
    otherCitations: located.facts.otherCitations ?? [],
  };
  const chain = evidenceChain(evidence, facts);
  const text = twistText(facts) ?? {
    summary: rule.summary(facts),
    mechanism: rule.mechanism(facts),
    counterfactual: rule.counterfactual(facts),
  };
  if (chain.length < 2) {
    throw new DiagnoseError(
      'MEDIC_ERR_DIAGNOSE_WEAK_EVIDENCE',
      `evidence for ${incident.id} has ${evidence.items.length} item(s); a diagnosis cites at least two`,
    );
  }
  const [fixStrategy, ...otherStrategies] = rule.strategies(facts);
  const topSuspect = evidence.suspects[0]?.location;
  // Agreement with ingest's independent ranking raises confidence; an unread source line lowers it.
  const agreement = topSuspect && sameFunction(topSuspect, blamed) ? 0.05 : 0;
  const confidence = rule.confidence * located.directness + agreement - (code ? 0 : 0.1);
  return {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.id,
    rootCauseClass: cls,
    summary: text.summary,
    location: blamed,
    alternatives: located.alternatives.filter((l) => !sameFunction(l, blamed)).slice(0, MAX_ALTERNATIVES),
    mechanism: capitalise(fromSource ? `${text.mechanism} ${fromSource}` : text.mechanism),
    evidenceChain: chain,
    counterfactual: text.counterfactual,
    fixStrategy: fixStrategy ?? 'other',
    otherStrategies,
    confidence: Math.round(Math.min(0.99, Math.max(0.05, confidence)) * 100) / 100,
    provider: 'rules',
    ruleVersion: RULE_VERSION,
  };
}

function goroutineOf(failure: NonNullable<Evidence['failure']>): Partial<Facts> {
  const g = crashedGoroutine(failure);
  return g ? { goroutineId: g.id, goroutineState: g.state } : {};
}
