// The Markdown report and the pull-request body come from one renderer; untrusted text cannot break out of code spans.
import { describe, expect, it } from 'vitest';
import type { Diagnosis, Evidence, Incident, Rollout, Verification } from '../core/model.js';
import { renderMarkdown } from './markdown.js';
import type { RolloutPlan } from './records.js';

const incident: Incident = {
  schemaVersion: 1,
  id: 'x1',
  source: 'cli',
  receivedAt: '2026-11-21T10:00:00Z',
  service: { name: 'demo', repo: { path: 'service' }, mainPackage: '.', run: { args: [], env: {} } },
  artifacts: [],
};

const evidence: Evidence = {
  schemaVersion: 1,
  incidentId: 'x1',
  otherFailures: [],
  profiles: [],
  signature: 'nil-map-write|demo.add',
  signals: { panicScore: 0.8, pprofEntropy: 0.1, traceJitter: 0 },
  items: [
    {
      id: 'E1',
      source: 'traceback',
      summary: 'panic: `rm -rf` ``` assignment to entry in nil map',
      artifact: 'artifacts/panic.log',
    },
    { id: 'E2', source: 'traceback', summary: 'goroutine 7 crashed in demo.add' },
  ],
  suspects: [],
};

const diagnosis: Diagnosis = {
  schemaVersion: 1,
  incidentId: 'x1',
  rootCauseClass: 'nil-map-write',
  summary: 'counts is never made',
  location: { file: 'main.go', line: 5, function: 'example.com/demo.add' },
  alternatives: [],
  mechanism: 'add writes to a nil map',
  evidenceChain: [
    { evidenceId: 'E1', claim: 'the runtime says so' },
    { evidenceId: 'E2', claim: 'add is the crashing frame' },
  ],
  counterfactual: 'if counts were made, add would not panic',
  fixStrategy: 'init-map-at-construction',
  otherStrategies: [],
  confidence: 0.9,
  provider: 'rules',
};

const rejected: Verification = {
  schemaVersion: 1,
  incidentId: 'x1',
  patchRank: 1,
  verdict: 'rejected',
  reason: 'build failed',
  checks: [
    {
      name: 'build',
      command: ['go', 'build', './...'],
      outcome: 'fail',
      exitCode: 1,
      durationMs: 1500,
      excerpt: './main.go:5:2: undefined: countz',
    },
  ],
  isolation: { kind: 'netns', reason: 'unshare -n' },
  startedAt: '2026-11-21T10:00:00Z',
  finishedAt: '2026-11-21T10:00:02Z',
};

describe('renderMarkdown', () => {
  const records = {
    incident,
    evidence,
    diagnosis,
    verifications: [rejected],
    outcome: { status: 'no-fix' as const, reason: 'No candidate was verified.' },
    timings: { ingest: 12.4 },
  };

  it('shows the root cause, the cited evidence and a failed check with its output', () => {
    const md = renderMarkdown(records);
    expect(md).toContain('**nil-map-write** at `main.go:5`');
    expect(md).toContain('**E2** add is the crashing frame: ` goroutine 7 crashed in demo.add `');
    expect(md).toContain('| build | fail | 1.50 s |');
    expect(md).toContain('./main.go:5:2: undefined: countz');
    expect(md).toContain('| ingest | 12 |');
  });

  it('fences untrusted text with more backticks than it contains', () => {
    const md = renderMarkdown(records);
    expect(md).toContain('```` panic: `rm -rf` ``` assignment to entry in nil map ````');
  });

  it('leaves run-only sections out of the pull-request body', () => {
    const md = renderMarkdown(records, { audience: 'pull-request' });
    expect(md).not.toContain('# Incident x1');
    expect(md).not.toContain('Time per stage');
    expect(md).toContain('## Root cause');
  });

  const verified: Verification = {
    ...rejected,
    verdict: 'verified',
    reason: 'every check passed',
    checks: [],
  };
  const plan: RolloutPlan = {
    plan: [
      { weight: 5, bakeSeconds: 300 },
      { weight: 25, bakeSeconds: 300 },
      { weight: 100, bakeSeconds: 90 },
    ],
    gates: {
      maxErrorRate: 0.03,
      maxP99Ms: 800,
      windowSeconds: 300,
      intervalSeconds: 30,
      minRequests: 20,
      maxHoldSeconds: 300,
    },
    approval: 'approved',
    allowUnreviewed: false,
    provider: 'github',
  };
  const withPlan = {
    ...records,
    verifications: [verified],
    rolloutPlan: plan,
    outcome: { status: 'verified' as const, reason: 'Candidate 1 passed.' },
  };

  it('puts the rollout plan in the pull-request body: steps, bakes, gates and who must approve', () => {
    const md = renderMarkdown(withPlan, { audience: 'pull-request' });
    expect(md).toContain('## Rollout plan');
    expect(md).toContain('Once this pull request is approved at its verified commit');
    expect(md).toContain('| 1 | 5 % | 5m |');
    expect(md).toContain('| 3 | 100 % | 1m30s |');
    expect(md).toContain('more than 3 % of the canary');
    expect(md).toContain('above 800 ms');
    expect(md).toContain('read every 30s from Prometheus over the last 5m');
    expect(md).toContain('`nil-map-write|demo.add`');
    expect(md).toContain('at least 20 canary requests');
    expect(renderMarkdown({ ...withPlan, rolloutPlan: { ...plan, approval: 'merged' } })).toContain(
      'Once this pull request is merged',
    );
    expect(renderMarkdown({ ...withPlan, rolloutPlan: { ...plan, provider: 'local' } })).toContain(
      'medic rollout --approve',
    );
    // No plan for a fix that was not verified: nothing will be rolled out.
    expect(renderMarkdown({ ...records, rolloutPlan: plan })).not.toContain('Rollout plan');
  });

  it('shows what the rollout did once it ran', () => {
    const rollout: Rollout = {
      schemaVersion: 1,
      incidentId: 'x1',
      plan: plan.plan,
      gates: plan.gates,
      approval: { kind: 'review', by: 'alice', at: '2026-11-21T11:00:00Z' },
      steps: [
        {
          index: 0,
          weight: 5,
          startedAt: '2026-11-21T11:00:00Z',
          readings: [
            {
              gate: 'error-rate',
              at: '2026-11-21T11:00:30Z',
              value: 0.2,
              threshold: 0.03,
              ok: false,
              samples: 40,
            },
          ],
        },
      ],
      decisions: [
        {
          at: '2026-11-21T11:00:30Z',
          step: 0,
          decision: 'rollback',
          reason: 'canary error rate 20.00 % over 5m is above 3.00 %',
          by: 'medic',
        },
      ],
      outcome: 'rolled-back',
    };
    const md = renderMarkdown({ ...withPlan, rollout });
    expect(md).toContain('Outcome: **rolled-back**. Approved by alice (review)');
    expect(md).toContain('| 1 | 5 % | 1 | 20 % ✗ | — | — |');
    expect(md).toContain('step 1 **rollback**: canary error rate 20.00 %');
  });
});
