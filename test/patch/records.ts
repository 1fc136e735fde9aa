// Minimal Diagnosis and Evidence records for patch tests that start from a known blamed location.
import {
  type CodeLocation,
  Diagnosis,
  Evidence,
  type FailureClass,
  type FixStrategy,
  Incident,
} from '../../src/core/model.js';

export function diagnosisAt(location: CodeLocation, cls: FailureClass, strategies: FixStrategy[]): Diagnosis {
  const [fixStrategy = 'other', ...otherStrategies] = strategies;
  return Diagnosis.parse({
    schemaVersion: 1,
    incidentId: 'test-incident',
    rootCauseClass: cls,
    summary: `${location.function} fails`,
    location,
    mechanism: 'test',
    evidenceChain: [
      { evidenceId: 'E1', claim: 'the panic names the function' },
      { evidenceId: 'E2', claim: 'the line is on the failing path' },
    ],
    counterfactual: 'if the value held, it would not fail',
    fixStrategy,
    otherStrategies,
    confidence: 0.9,
    provider: 'rules',
  });
}

export function evidenceAt(location: CodeLocation, message: string): Evidence {
  return Evidence.parse({
    schemaVersion: 1,
    incidentId: 'test-incident',
    signature: `test|${location.function}`,
    signals: { panicScore: 1, pprofEntropy: 0, traceJitter: 0 },
    items: [{ id: 'E1', source: 'traceback', summary: message, location }],
    suspects: [
      { location, score: 1, reasons: [{ source: 'traceback', detail: 'crash frame', evidenceId: 'E1' }] },
    ],
  });
}

/** A CLI incident of service `ops` with no artifacts (the patch tests build evidence records directly). */
export function incidentNamed(id = 'test-incident', service = 'ops'): Incident {
  return Incident.parse({
    schemaVersion: 1,
    id,
    source: 'cli',
    receivedAt: '2026-01-01T00:00:00Z',
    service: { name: service, repo: { path: '.' } },
    artifacts: [],
  });
}
