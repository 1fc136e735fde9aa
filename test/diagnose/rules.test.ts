// The rules engine on real failures: crashlab run in every failure mode, ingested, diagnosed.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnoseError } from '../../src/core/errors.js';
import { Diagnosis, type Evidence, type FailureClass } from '../../src/core/model.js';
import { diagnose, knowledgeBase } from '../../src/diagnose/index.js';
import { buildCrashlab, CRASHLAB, evidenceFor, recordIncident } from './harness.js';

const M = 'example.com/crashlab/internal';

interface Case {
  mode: string;
  cls: FailureClass;
  fn: string;
  file: string;
  /** A function that must be among the alternatives. */
  alt?: string;
  race?: boolean;
}

const cases: Case[] = [
  {
    mode: 'nil-map-write',
    cls: 'nil-map-write',
    fn: `${M}/inventory.(*Stock).Hold`,
    file: 'internal/inventory/stock.go',
    alt: 'main.nilMapWrite',
  },
  { mode: 'nil-deref', cls: 'nil-deref', fn: `${M}/convert.OwnerName`, file: 'internal/convert/convert.go' },
  {
    mode: 'index-range',
    cls: 'index-range',
    fn: `${M}/ledger.(*Ledger[...]).Nth`,
    file: 'internal/ledger/ledger.go',
  },
  {
    mode: 'slice-range',
    cls: 'slice-range',
    fn: `${M}/ledger.Window[...]`,
    file: 'internal/ledger/ledger.go',
  },
  {
    mode: 'closed-channel-close',
    cls: 'closed-channel-close',
    fn: `${M}/pipeline.(*Batch).Stop`,
    file: 'internal/pipeline/pipe.go',
  },
  {
    mode: 'nil-channel-close',
    cls: 'nil-channel-close',
    fn: `${M}/pipeline.(*Batch).Finish`,
    file: 'internal/pipeline/pipe.go',
  },
  {
    // The source shows the other half: Finish closes the channel its workers still send on.
    mode: 'send-on-closed',
    cls: 'send-on-closed',
    fn: `${M}/pipeline.(*Batch).Finish`,
    file: 'internal/pipeline/pipe.go',
    alt: `${M}/pipeline.(*Batch).Run.func1`,
  },
  {
    mode: 'concurrent-map-write',
    cls: 'concurrent-map-write',
    fn: `${M}/shared.(*Hits).Record`,
    file: 'internal/shared/counter.go',
  },
  {
    mode: 'race',
    cls: 'race',
    fn: `${M}/shared.(*Gauge).Report`,
    file: 'internal/shared/counter.go',
    race: true,
  },
  {
    // Deposit holds b.mu when it calls audit, which locks it again: the fix is in the caller.
    mode: 'deadlock-mutex',
    cls: 'deadlock',
    fn: `${M}/locks.(*Book).Deposit`,
    file: 'internal/locks/locks.go',
    alt: `${M}/locks.(*Book).audit`,
  },
  { mode: 'deadlock-channel', cls: 'deadlock', fn: `${M}/locks.AwaitReply`, file: 'internal/locks/locks.go' },
  { mode: 'deadlock-waitgroup', cls: 'deadlock', fn: `${M}/locks.WaitAll`, file: 'internal/locks/locks.go' },
  {
    mode: 'unlock-of-unlocked',
    cls: 'unlock-of-unlocked',
    fn: `${M}/locks.(*Book).Release`,
    file: 'internal/locks/locks.go',
  },
  {
    mode: 'type-assertion',
    cls: 'type-assertion',
    fn: `${M}/convert.Settings.Port`,
    file: 'internal/convert/convert.go',
  },
  {
    mode: 'divide-by-zero',
    cls: 'divide-by-zero',
    fn: `${M}/convert.Share`,
    file: 'internal/convert/convert.go',
  },
  {
    mode: 'stack-overflow',
    cls: 'stack-overflow',
    fn: `${M}/convert.(*Node).Depth`,
    file: 'internal/convert/convert.go',
  },
  {
    mode: 'custom-panic',
    cls: 'custom-panic',
    fn: `${M}/convert.MustGet`,
    file: 'internal/convert/convert.go',
  },
  {
    mode: 'goroutine-leak',
    cls: 'goroutine-leak',
    fn: `${M}/growth.(*Hub).listen`,
    file: 'internal/growth/growth.go',
  },
  {
    mode: 'heap-leak',
    cls: 'heap-leak',
    fn: `${M}/growth.(*Cache).Render`,
    file: 'internal/growth/growth.go',
  },
];

let tmp: string;
let bins: { plain: string; race?: string };
const evidence = new Map<string, Evidence>();

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medic-rules-'));
  bins = await buildCrashlab(tmp, { race: true });
  for (const c of cases) {
    const binary = c.race ? (bins.race as string) : bins.plain;
    const rec = await recordIncident(join(tmp, 'incidents'), binary, c.mode);
    evidence.set(c.mode, await evidenceFor(rec));
  }
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const incidentOf = (id: string) => ({
  schemaVersion: 1 as const,
  id,
  source: 'cli' as const,
  receivedAt: new Date(0).toISOString(),
  service: { name: 'crashlab', repo: { path: CRASHLAB }, mainPackage: '.', run: { args: [], env: {} } },
  artifacts: [],
});

describe('rules engine on real failures', () => {
  it.each(cases)('$mode -> $cls in $fn', async (c) => {
    const ev = evidence.get(c.mode) as Evidence;
    const d = await diagnose(ev, incidentOf(c.mode), { repoDir: CRASHLAB, provider: 'rules' });
    expect(Diagnosis.safeParse(d).success).toBe(true);
    expect(d.provider).toBe('rules');
    expect(d.rootCauseClass).toBe(c.cls);
    expect(d.location.function).toBe(c.fn);
    expect(d.location.file).toBe(c.file);
    if (c.alt) expect(d.alternatives.map((a) => a.function)).toContain(c.alt);
    // The chain cites real evidence ids, and the text is written from this incident, not canned.
    const ids = new Set(ev.items.map((i) => i.id));
    for (const link of d.evidenceChain) expect(ids.has(link.evidenceId)).toBe(true);
    expect(d.counterfactual).toContain(`${d.location.file}:${d.location.line}`);
    expect(d.summary).toContain(`${d.location.file}:${d.location.line}`);
    expect(`${d.summary} ${d.mechanism} ${d.counterfactual}`).not.toMatch(/undefined|NaN|\[object/);
    const kb = knowledgeBase[c.cls];
    expect(kb).toBeDefined();
    expect(d.fixStrategy).not.toBe(undefined);
    expect(d.confidence).toBeGreaterThan(0);
  });

  it('names the map and the write in a nil map diagnosis', async () => {
    const d = await diagnose(evidence.get('nil-map-write') as Evidence, incidentOf('x'), {
      repoDir: CRASHLAB,
      provider: 'rules',
    });
    expect(d.mechanism).toContain('s.holds');
    expect(d.fixStrategy).toBe('init-map-at-construction');
    expect(d.otherStrategies).toEqual(['init-map-lazily']);
  });

  it('quotes index and length from the panic in an index diagnosis', async () => {
    const d = await diagnose(evidence.get('index-range') as Evidence, incidentOf('x'), {
      repoDir: CRASHLAB,
      provider: 'rules',
    });
    expect(d.summary).toContain('index 3, length 3');
  });

  it('names both racing accesses', async () => {
    const d = await diagnose(evidence.get('race') as Evidence, incidentOf('x'), {
      repoDir: CRASHLAB,
      provider: 'rules',
    });
    expect(d.counterfactual).toMatch(/Report.*Last|Report.*Report/);
    expect(d.fixStrategy).toBe('add-mutex');
  });

  it('has no rule for an unknown class: MEDIC_ERR_DIAGNOSE_NO_RULE', async () => {
    const ev = structuredClone(evidence.get('custom-panic') as Evidence);
    if (ev.failure) ev.failure.class = 'unknown';
    ev.class = 'unknown';
    ev.signature = `unknown|${ev.signature}`;
    const call = diagnose(ev, incidentOf('x'), { repoDir: CRASHLAB, provider: 'rules' });
    await expect(call).rejects.toMatchObject({ code: 'MEDIC_ERR_DIAGNOSE_NO_RULE' });
  });

  it('refuses to blame code that is not in the repository: MEDIC_ERR_DIAGNOSE_NO_LOCATION', async () => {
    const other = await mkdtemp(join(tmpdir(), 'medic-otherrepo-'));
    try {
      await writeFile(join(other, 'go.mod'), 'module example.com/other\n\ngo 1.22\n');
      const rec = await recordIncident(join(tmp, 'elsewhere'), bins.plain, 'nil-deref', { repoDir: other });
      const ev = await evidenceFor(rec, other);
      const call = diagnose(ev, rec.incident, { repoDir: other, provider: 'rules' });
      await expect(call).rejects.toBeInstanceOf(DiagnoseError);
      await expect(call).rejects.toMatchObject({ code: 'MEDIC_ERR_DIAGNOSE_NO_LOCATION' });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('rejects a blamed line the repository no longer has: MEDIC_ERR_DIAGNOSE_LOCATION_NOT_FOUND', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'medic-drift-'));
    try {
      await cp(CRASHLAB, copy, { recursive: true });
      const file = join(copy, 'internal/convert/convert.go');
      const text = await readFile(file, 'utf8');
      // The repository moved on: OwnerName is gone and the file is shorter than the recorded line.
      await writeFile(file, text.slice(0, text.indexOf('// Owner of a resource.')));
      const ev = evidence.get('nil-deref') as Evidence;
      const call = diagnose(ev, incidentOf('x'), { repoDir: copy, provider: 'rules' });
      await expect(call).rejects.toMatchObject({ code: 'MEDIC_ERR_DIAGNOSE_LOCATION_NOT_FOUND' });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
