// The HTML report: untrusted text stays text, the flame graph and diff carry their content.
import { describe, expect, it } from 'vitest';
import type { Evidence, Incident } from '../../core/model.js';
import { highlightGo } from './diff.js';
import { growthTree } from './flame.js';
import { renderHtml } from './page.js';

const incident: Incident = {
  schemaVersion: 1,
  id: 'h1',
  source: 'cli',
  receivedAt: '2026-11-21T10:00:00Z',
  service: { name: 'svc<script>', repo: { path: 'service' }, mainPackage: '.', run: { args: [], env: {} } },
  artifacts: [],
};

const evidence: Evidence = {
  schemaVersion: 1,
  incidentId: 'h1',
  otherFailures: [],
  signature: 's',
  signals: { panicScore: 0.5, pprofEntropy: 0.5, traceJitter: 0 },
  items: [{ id: 'E1', source: 'traceback', summary: '<img src=x onerror=alert(1)>' }],
  suspects: [],
  profiles: [
    {
      schemaVersion: 1,
      kind: 'cpu',
      artifact: 'artifacts/cpu.pprof',
      sampleTypes: [{ type: 'cpu', unit: 'nanoseconds' }],
      valueType: { type: 'cpu', unit: 'nanoseconds' },
      total: 100e6,
      topFlat: [],
      topCum: [],
      entropy: 0.4,
      flame: {
        name: 'root',
        value: 100e6,
        children: [
          {
            name: 'example.com/a/b.Handle',
            value: 70e6,
            children: [{ name: 'runtime.mallocgc', value: 20e6, children: [] }],
          },
          { name: 'runtime.gcBgMarkWorker', value: 30e6, children: [] },
        ],
      },
    },
  ],
};

describe('renderHtml', () => {
  const html = renderHtml({ incident, evidence, outcome: { status: 'no-fix', reason: 'stopped <early>' } });

  it('escapes every piece of untrusted text', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('stopped &lt;early&gt;');
  });

  it('draws a flame graph box per frame and forbids scripts and network through its CSP', () => {
    expect(html).toContain('data-frames="4"');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<title>example.com/a/b.Handle: 70.0 ms (70.0 %)</title>');
  });

  it('shows the rollout plan of a verified fix not rolled out yet', () => {
    const rolloutPlan = {
      plan: [
        { weight: 10, bakeSeconds: 60 },
        { weight: 100, bakeSeconds: 120 },
      ],
      gates: { maxErrorRate: 0.05, maxP99Ms: 500, windowSeconds: 120 },
      approval: 'merged' as const,
      allowUnreviewed: false,
      provider: 'github' as const,
    };
    const planned = renderHtml({
      incident,
      evidence,
      rolloutPlan,
      outcome: { status: 'verified', reason: 'passed' },
    });
    expect(planned).toContain('<h2>Rollout plan</h2>');
    expect(planned).toContain('Starts once the pull request is merged.');
    expect(planned).toContain('<td>2</td><td>100 %</td><td>120 s</td>');
    expect(planned).toContain('5.00 % errors or 500 ms p99 over 120 s');
    expect(html).not.toContain('Rollout plan');
  });
});

describe('growthTree', () => {
  it('weights each grown stack by its growth, root first, ignoring shrinking stacks', () => {
    const leaf = { function: 'f', file: 'f.go', line: 1 };
    const tree = growthTree([
      { stack: ['leak', 'handler', 'main'], leaf, before: 0, after: 10, delta: 10, perMinute: 5 },
      { stack: ['other', 'handler', 'main'], leaf, before: 0, after: 4, delta: 4, perMinute: 2 },
      { stack: ['gone', 'main'], leaf, before: 5, after: 1, delta: -4, perMinute: -2 },
    ]);
    expect(tree.value).toBe(14);
    expect(tree.children.map((c) => c.name)).toEqual(['main']);
    expect(tree.children[0]?.children[0]?.children.map((c) => [c.name, c.value])).toEqual([
      ['leak', 10],
      ['other', 4],
    ]);
  });
});

describe('highlightGo', () => {
  it('marks keywords, strings and comments and escapes the rest', () => {
    const out = highlightGo('if m == nil { m = map[string]int{} } // "x" <y>');
    expect(out).toContain('<span class="k">if</span>');
    expect(out).toContain('<span class="k">nil</span>');
    expect(out).toContain('<span class="c">// &quot;x&quot; &lt;y&gt;</span>');
  });
});
