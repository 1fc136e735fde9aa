// The fixture recorder's trace hook: records trace.ndjson beside a running program, or keeps the old one.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTraceHook } from '../../src/ingest/trace/collector-hook.js';
import { buildTracee, ebpfSkipReason, readTrace, Tracee } from './helpers.js';

const skip = ebpfSkipReason();
let dir = '';
let tracee = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'medic-ebpf-hook-'));
  if (skip === undefined) tracee = await buildTracee(join(dir, 'tracee'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function context(name: string, options: unknown) {
  const fixtureDir = join(dir, name);
  const stagingDir = join(fixtureDir, '.artifacts.recording');
  mkdirSync(stagingDir, { recursive: true });
  const logs: string[] = [];
  return { fixtureDir, stagingDir, binary: tracee, pid: 0, options, log: (m: string) => logs.push(m), logs };
}

describe('trace hook options', () => {
  it('rejects unknown options and bad probe specs as bad input', async () => {
    const hook = createTraceHook(() => ({ ok: false, reason: 'not here' }));
    await expect(hook.start(context('bad1', { probe: ['panic'] }))).rejects.toMatchObject({
      code: 'MEDIC_ERR_INPUT_INVALID_RECORD',
    });
    await expect(hook.start(context('bad2', { probes: ['nope'] }))).rejects.toMatchObject({
      code: 'MEDIC_ERR_INPUT_BAD_OPTION',
    });
  });
});

describe.skipIf(skip !== undefined)('trace hook beside a running program', () => {
  it('writes artifacts/trace.ndjson, then keeps it where eBPF is unavailable', async () => {
    const t = new Tracee(tracee);
    const ctx = { ...context('fixture', { probes: ['user:main.handle'] }) };
    try {
      await t.next();
      ctx.pid = t.pid;
      const hook = createTraceHook();
      await hook.start(ctx);
      await t.send('handle 3');
      await t.send('panic string recorded');
      await t.exited;
      const refs = await hook.finish({ ...ctx, failed: false });
      expect(refs).toEqual([{ kind: 'trace', path: 'artifacts/trace.ndjson', generated: false }]);
    } finally {
      t.kill();
    }
    const written = readFileSync(join(ctx.stagingDir, 'trace.ndjson'), 'utf8');
    const { events } = readTrace(join(ctx.stagingDir, 'trace.ndjson'));
    expect(events.filter((e) => e.function === 'main.handle')).toHaveLength(3);
    expect(events.find((e) => e.probe === 'panic')?.panic?.message).toBe('recorded');

    // Re-recording where eBPF is unavailable: the fixture's trace (now in artifacts/) carries over.
    renameSync(ctx.stagingDir, join(ctx.fixtureDir, 'artifacts'));
    const again = context('fixture', {});
    const unavailable = createTraceHook(() => ({ ok: false, reason: 'no BTF in this test' }));
    await unavailable.start(again);
    expect(again.logs.join('\n')).toContain('eBPF unavailable: no BTF in this test');
    expect(await unavailable.finish({ ...again, failed: false })).toHaveLength(1);
    expect(readFileSync(join(again.stagingDir, 'trace.ndjson'), 'utf8')).toBe(written);

    // And a fixture that never had a trace gets none.
    const fresh = context('fresh', {});
    await unavailable.start(fresh);
    expect(await unavailable.finish({ ...fresh, failed: false })).toEqual([]);
  });
});
