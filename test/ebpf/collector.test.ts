// The collector against a real Go program: what the probes report must be what the program did.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceEvent } from '../../src/core/model/trace.js';
import { type CollectorOptions, RUNTIME_PROBES, startCollector } from '../../src/ingest/trace/collector.js';
import { processBias } from '../../src/ingest/trace/collector-bias.js';
import { GoInspector } from '../../src/ingest/trace/collector-inspect.js';
import { buildTracee, ebpfSkipReason, TRACEE_SRC, Tracee } from './helpers.js';

const skip = ebpfSkipReason();
let dir = '';
let plain = '';
let pie = '';

beforeAll(async () => {
  if (skip !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'medic-ebpf-'));
  [plain, pie] = await Promise.all([
    buildTracee(join(dir, 'tracee')),
    buildTracee(join(dir, 'tracee-pie'), ['-buildmode=pie']),
  ]);
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Runs the tracee under the collector: `drive` sends commands; events are returned after it exits. */
async function traced(
  binary: string,
  drive: (t: Tracee) => Promise<void>,
  options: Partial<CollectorOptions> = {},
): Promise<{ events: TraceEvent[]; tracee: Tracee; exit: number | null }> {
  const tracee = new Tracee(binary);
  try {
    await tracee.next(); // ready
    const events: TraceEvent[] = [];
    const collector = await startCollector({
      binary,
      pid: tracee.pid,
      runtimeProbes: RUNTIME_PROBES,
      ...options,
      onEvent: (e) => events.push(e),
    });
    try {
      await drive(tracee);
      tracee.child.stdin.end();
      const exit = await tracee.exited;
      await collector.stop();
      return { events: events.map((e) => TraceEvent.parse(e)), tracee, exit };
    } finally {
      await collector.stop();
    }
  } finally {
    tracee.kill();
  }
}

const ofProbe = (events: TraceEvent[], probe: TraceEvent['probe']) => events.filter((e) => e.probe === probe);

describe.skipIf(skip !== undefined)('eBPF collector on a Go program', () => {
  it('reports goroutines, GC, user calls and a panic as the program saw them', async () => {
    const seen: Record<string, Record<string, unknown>> = {};
    const { events, exit, tracee } = await traced(
      plain,
      async (t) => {
        seen.spawn = await t.send('spawn 3');
        seen.gc = await t.send('gc 2');
        seen.handle = await t.send('handle 50');
        seen.deep = await t.send('deep 3000');
        seen.panic = await t.send('panic string boom 42');
      },
      { userFunctions: ['main.handle', 'main.descend'] },
    );
    expect(exit).toBe(2);
    expect(tracee.stderr).toContain('panic: boom 42');

    // goroutine-create: goid is the creator, childGoid the new goroutine, the stack starts at the go statement.
    const workers = ofProbe(events, 'goroutine-create').filter((e) => e.function === 'main.worker');
    expect(workers.map((e) => e.childGoid).sort()).toEqual(
      [...((seen.spawn?.spawned ?? []) as number[])].sort(),
    );
    for (const w of workers) {
      expect(w.goid).toBe(seen.spawn?.parent);
      expect(w.stack[0]).toMatchObject({
        function: 'main.main',
        file: expect.stringMatching(/tracee\/main\.go$/),
      });
      expect(w.stack.map((f) => f.function)).toEqual(['main.main', 'runtime.main', 'runtime.goexit']);
    }
    expect(ofProbe(events, 'gc-start').length).toBeGreaterThanOrEqual(2);
    const gcFromMain = ofProbe(events, 'gc-start').filter((e) =>
      e.stack.some((f) => f.function === 'runtime.GC'),
    );
    expect(gcFromMain.length).toBe(2);

    // Exact counts: probes past the stack check never count a morestack re-entry twice, and the
    // 3000-deep recursion grows (copies) the goroutine's stack several times on the way.
    const calls = (fn: string) => ofProbe(events, 'user-function').filter((e) => e.function === fn);
    expect(calls('main.handle').length).toBe(50 + 3000);
    expect(calls('main.descend').length).toBe(3001);
    expect(
      new Set(
        calls('main.handle')
          .slice(0, 50)
          .map((e) => e.goid),
      ),
    ).toEqual(new Set([seen.handle?.goid]));
    expect(
      calls('main.handle')[0]
        ?.stack.slice(0, 2)
        .map((f) => f.function),
    ).toEqual(['main.handle', 'main.main']);

    const [panic, ...more] = ofProbe(events, 'panic');
    expect(more).toEqual([]);
    expect(panic?.panic).toEqual({ type: 'string', message: 'boom 42' });
    expect(panic?.goid).toBe(seen.panic?.panicking);
    expect(panic?.stack.map((f) => f.function).slice(0, 2)).toEqual(['runtime.gopanic', 'main.explode']);
    expect(panic?.stack[1]?.file).toMatch(/tracee\/main\.go$/);
    // The goroutine that panicked was created by the panic command's go statement, in goroutine 1.
    const creation = ofProbe(events, 'goroutine-create').find((e) => e.childGoid === panic?.goid);
    expect(creation?.function).toBe('main.main.func2');
    expect(panic?.parentGoid).toBe(creation?.goid);
  });

  it('expands a frame inside inlined code into the inlined function and the one it is inlined into', async () => {
    const source = readFileSync(join(TRACEE_SRC, 'main.go'), 'utf8').split('\n');
    const lineOf = (marker: string) => source.findIndex((l) => l.includes(marker)) + 1;
    const { events } = await traced(
      plain,
      async (t) => {
        await t.send('inline 2');
      },
      { userFunctions: ['main.twice'], runtimeProbes: [] },
    );
    const calls = ofProbe(events, 'user-function');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.stack.slice(0, 3)).toEqual([
      expect.objectContaining({ function: 'main.twice' }),
      expect.objectContaining({ function: 'main.relay', line: lineOf('// relay calls twice') }),
      expect.objectContaining({ function: 'main.main', line: lineOf('// main calls relay') }),
    ]);
    // Both frames come from one return address.
    expect(calls[0]?.stack[1]?.pc).toBe(calls[0]?.stack[2]?.pc);
  });

  it('probing first instructions double-counts morestack re-entries (what the body offset avoids)', async () => {
    const { events } = await traced(
      plain,
      async (t) => {
        await t.send('deep 3000');
      },
      { userFunctions: ['main.descend'], runtimeProbes: [], entryProbes: true },
    );
    expect(ofProbe(events, 'user-function').length).toBeGreaterThan(3001);
  });

  it('handles a PIE binary: load bias from the probe address agrees with /proc/PID/maps', async () => {
    const inspector = await GoInspector.open(pie);
    const expected: { ip?: number } = {};
    try {
      const { events, exit } = await traced(
        pie,
        async (t) => {
          const bias = processBias(t.pid, pie, inspector.info.segments);
          expect(bias).toBeGreaterThan(0);
          const handle = await inspector.lookup(['main.handle']);
          const addr = handle.found['main.handle'];
          await t.send('handle 3');
          // Checked below against the first user event's runtime ip.
          expected.ip = (addr?.addr ?? 0) + (addr?.offset ?? 0) + (bias ?? 0);
          await t.send('panic error wrapped failure');
        },
        { userFunctions: ['main.handle'] },
      );
      expect(exit).toBe(2);
      const handles = ofProbe(events, 'user-function');
      expect(handles.length).toBe(3);
      expect(handles[0]?.stack[0]).toMatchObject({
        function: 'main.handle',
        pc: `0x${expected.ip?.toString(16)}`,
      });
      expect(ofProbe(events, 'panic')[0]?.panic).toEqual({
        type: '*errors.errorString',
        message: 'wrapped failure',
      });
    } finally {
      inspector.close();
    }
  });

  it.each([
    ['nilmap', 'x', 'runtime.plainError', 'assignment to entry in nil map'],
    ['index', '5', 'runtime.boundsError', 'runtime error: index out of range [5] with length 3'],
    // The probe copies 255 bytes of a message; a longer one is marked as cut.
    ['string', 'x'.repeat(300), 'string', `${'x'.repeat(255)}…`],
  ])('decodes a panic value (%s)', async (kind, arg, type, message) => {
    const { events } = await traced(plain, async (t) => {
      await t.send(`panic ${kind} ${arg}`);
    });
    const panics = ofProbe(events, 'panic');
    expect(panics[0]?.panic).toEqual({ type, message });
    expect(panics[0]?.stack.map((f) => f.function)).toContain('main.explode');
  });
});
