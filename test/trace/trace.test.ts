// Trace ingest on events written by test/trace/tracegen (the schema generator, marked generated):
// features, duplicate removal, the panicking goroutine, and a typed error for every malformed line.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceEvent } from '../../src/core/model.js';
import { dedupeEvents } from '../../src/ingest/trace/dedupe.js';
import { computeTraceFeatures } from '../../src/ingest/trace/features.js';
import { parseTrace, readTrace } from '../../src/ingest/trace/read.js';
import { buildTracegen, type Tracegen } from './tracegen.js';

let gen: Tracegen;
let panicText: string;
let panicPath: string;
let calmText: string;

beforeAll(async () => {
  gen = await buildTracegen();
  const [p, c] = await Promise.all([gen.produce('panic'), gen.produce('calm')]);
  panicPath = p.events;
  panicText = await readFile(p.events, 'utf8');
  calmText = await readFile(c.events, 'utf8');
});

afterAll(() => gen?.cleanup());

describe('trace features', () => {
  it('reads the header and every event of a generated trace', async () => {
    const file = await readTrace(panicPath, 'events.ndjson');
    expect(file.header).toMatchObject({ kind: 'header', source: 'generator', generated: true });
    expect(file.events.length).toBe(panicText.trim().split('\n').length - 1);
    expect(parseTrace(panicText, 'events.ndjson').events).toEqual(file.events);
  });

  it('counts probes, removes the doubled hit and marks the trace generated', () => {
    const f = computeTraceFeatures(parseTrace(panicText, 'events.ndjson'), { artifact: 'events.ndjson' });
    expect(f.generated).toBe(true);
    expect(f.duplicatesRemoved).toBe(1);
    const count = (probe: string) => f.probes.find((p) => p.probe === probe)?.count;
    expect(count('gc-start')).toBe(4);
    expect(count('panic')).toBe(1);
    // 4 workers, 40 subscribers, 1 request goroutine.
    expect(count('goroutine-create')).toBe(45);
    expect(f.functionRates).toEqual([
      expect.objectContaining({ function: 'main.handle', count: 40 }),
      expect.objectContaining({ function: 'main.lookup', count: 1 }),
    ]);
    expect(f.gc.count).toBe(4);
    expect(f.gc.meanIntervalMs).toBeGreaterThan(0);
    expect(f.jitterMs).toBeGreaterThan(0);
    expect(f.durationNs).toBeGreaterThan(0);
    expect(f.probes.every((p) => p.ratePerSec >= 0)).toBe(true);
  });

  it('singles out the site that spawns goroutines far more than the others', () => {
    const f = computeTraceFeatures(parseTrace(calmText, 'calm.ndjson'), { artifact: 'calm.ndjson' });
    const [top, second] = f.spawnSites;
    expect(top).toMatchObject({ count: 40, outlier: true, started: ['main.listen'] });
    expect(top?.frame?.function).toBe('main.subscribe');
    expect(second).toMatchObject({ count: 4, outlier: false });
    expect(f.panic).toBeUndefined();
  });

  it('finds the goroutine that panicked and what it did just before', () => {
    const f = computeTraceFeatures(parseTrace(panicText, 'events.ndjson'), { artifact: 'events.ndjson' });
    expect(f.panic).toMatchObject({ type: 'runtime.plainError', message: 'assignment to entry in nil map' });
    expect(f.panic?.before.map((e) => e.function)).toContain('main.lookup');
    expect(f.panic?.stack.some((fr) => fr.function === 'main.process')).toBe(true);
    expect(f.timelines[0]?.goid).toBe(f.panic?.goid);
    expect(f.timelines[0]?.parentGoid).toBe(1);
  });

  it('keeps a second call from the same place that is not a duplicate', () => {
    const events = parseTrace(panicText, 'e').events.filter(
      (e) => e.probe === 'user-function' && e.function === 'main.handle',
    );
    const hit = events[0]!;
    const later = { ...hit, timeNs: hit.timeNs + 5_000_000 };
    const soon = { ...hit, timeNs: hit.timeNs + 500 };
    const noSp = TraceEvent.parse({ ...hit, sp: undefined, timeNs: hit.timeNs + 10 });
    expect(dedupeEvents([hit, later, soon, noSp]).removed).toBe(1);
  });

  it('reads an empty trace as no events', () => {
    const f = computeTraceFeatures(parseTrace('', 'empty.ndjson'), {
      artifact: 'empty.ndjson',
      generated: true,
    });
    expect(f).toMatchObject({ eventCount: 0, durationNs: 0, jitterMs: 0, generated: true });
  });
});

describe('invalid traces', () => {
  const lines = () => panicText.trim().split('\n');
  const codeAndMessage = (text: string) => {
    try {
      parseTrace(text, 'bad.ndjson');
    } catch (error) {
      return { code: (error as { code?: string }).code, message: (error as Error).message };
    }
    return { code: 'no error', message: '' };
  };

  it.each([
    ['a line that is not JSON', (l: string[]) => [...l.slice(0, 5), l[5]!.slice(0, 40), ...l.slice(6)], 6],
    ['a JSON array', (l: string[]) => [...l.slice(0, 3), '[1,2]'], 4],
    ['an unknown version', (l: string[]) => [l[0]!, l[1]!.replace('"v":1', '"v":2')], 2],
    [
      'an unknown probe',
      (l: string[]) => [l[0]!, l[1]!.replace('"probe":"goroutine-create"', '"probe":"syscall"')],
      2,
    ],
    ['a negative time', (l: string[]) => [l[0]!, l[1]!.replace(/"timeNs":\d+/, '"timeNs":-5')], 2],
    ['a header after events', (l: string[]) => [l[1]!, l[0]!], 2],
  ])('names %s with its line number', (_, edit, line) => {
    const { code, message } = codeAndMessage(edit(lines()).join('\n'));
    expect(code).toBe('MEDIC_ERR_INGEST_TRACE_INVALID');
    expect(message).toContain(`line ${line}`);
  });

  it('refuses more events than the limit', () => {
    expect(() => parseTrace(calmText, 'big.ndjson', { maxEvents: 3 })).toThrow(
      expect.objectContaining({ code: 'MEDIC_ERR_INGEST_TRACE_INVALID' }),
    );
  });

  it('reports an unreadable file with its own code', async () => {
    await expect(readTrace(`${gen.root}/missing.ndjson`, 'missing.ndjson')).rejects.toMatchObject({
      code: 'MEDIC_ERR_INGEST_ARTIFACT_UNREADABLE',
    });
  });
});
