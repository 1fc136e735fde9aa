// Regression tests generated against real Go: recorded words decoded, an HTTP handler replayed with its route's path values, reproduction checked.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { Evidence, Incident } from '../../src/core/model.js';
import { GoRepo } from '../../src/lang/go/index.js';
import { generateRegressionTest } from '../../src/patch/index.js';
import { testName } from '../../src/patch/regression/direct.js';
import { literalFor, parseArgs } from '../../src/patch/regression/recorded.js';
import { diagnosisAt, evidenceAt } from './records.js';

let work: string;
const incident = Incident.parse({
  schemaVersion: 1,
  id: 'shop-nil-map',
  source: 'cli',
  receivedAt: '2026-01-01T00:00:00Z',
  service: { name: 'shop', repo: { path: 'repo' } },
  artifacts: [{ kind: 'request', path: 'request.json' }],
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medic-regression-'));
  await cp(join(import.meta.dirname, 'go/shop'), join(work, 'repo'), { recursive: true });
  // The request the shop received when it crashed, in the ReplayRequest form the recorder writes.
  await writeFile(
    join(work, 'request.json'),
    JSON.stringify({
      method: 'POST',
      path: '/cart/bob/items',
      headers: { 'Content-Type': 'application/json' },
      body: '{"item":"apple","qty":2}',
    }),
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function evidenceWithStack(
  location: { file: string; line: number; function: string },
  frames: { file: string; line: number; function: string }[],
): Evidence {
  const base = evidenceAt(location, 'assignment to entry in nil map');
  return Evidence.parse({
    ...base,
    failure: {
      schemaVersion: 1,
      kind: 'panic',
      class: 'nil-map-write',
      message: 'assignment to entry in nil map',
      goroutines: [
        {
          id: 7,
          state: 'running',
          frames: frames.map((f) => ({ ...f, package: '', name: '', repoFile: f.file, kind: 'application' })),
        },
      ],
      crashedGoroutineId: 7,
      signature: 'nil-map-write|test',
      source: { artifact: 'panic.log', startLine: 1, endLine: 2 },
    },
  });
}

describe('recorded values', () => {
  it('decodes traceback words by parameter type', () => {
    const words = parseArgs('0xc000010018, {0xc00001a0f0, 0x4}, 0xffffffffffffffff, 0x1?, ...');
    const harvest = { strings: ['lamp', 'rug'], numbers: [] };
    expect(literalFor('string', words[1], harvest)?.code).toBe('"lamp"');
    expect(literalFor('int', words[2], harvest)?.code).toBe('-1');
    expect(literalFor('uint64', words[2], harvest)?.code).toBe('18446744073709551615');
    expect(literalFor('int', words[3], harvest)).toBeUndefined();
    expect(literalFor('int', words[4], harvest)).toBeUndefined();
    expect(literalFor('string', parseArgs('{0x1, 0x3}')[0], { strings: [], numbers: [] })?.code).toBe(
      '"xxx"',
    );
    expect(parseArgs('{{{')).toEqual([
      { kind: 'group', words: [{ kind: 'group', words: [{ kind: 'group', words: [] }] }] },
    ]);
  });

  it('names tests after the incident', () => {
    expect(testName('nil-map-write')).toBe('TestMedicRegressionNilMapWrite');
    expect(testName('2026.01_x')).toBe('TestMedicRegression202601X');
  });
});

describe('generated test', () => {
  it('replays the recorded request through the handler with its path values, and reproduces the panic', async () => {
    const handler = { file: 'server.go', line: 48, function: 'main.(*server).addItem' };
    const add = {
      file: 'internal/cart/cart.go',
      line: 19,
      function: 'example.com/shop/internal/cart.(*Cart).Add',
    };
    const test = await generateRegressionTest(
      new GoRepo(join(work, 'repo')),
      diagnosisAt(handler, 'nil-map-write', ['init-map-at-construction']),
      evidenceWithStack(handler, [add, handler]),
      incident,
      { incidentDir: work },
    );
    expect(test?.kind).toBe('http-handler');
    expect(test?.validated).toBe(true);
    expect(test?.source).toContain('s := &server{carts: map[string]*cart.Cart{}}');
    expect(test?.source).toContain('req.SetPathValue("owner", "bob")');
    expect(test?.source).toContain('"example.com/shop/internal/cart"');
    if (test === undefined) return;
    // The test is a real Go test: it fails on the original code with the incident's panic.
    await writeFile(join(work, 'repo', test.file), test.source);
    const result = await run(['go', 'test', '-count=1', '-run', `^${test.name}$`, test.packageDir], {
      cwd: join(work, 'repo'),
    });
    expect(result.stdout + result.stderr).toContain('assignment to entry in nil map');
    await rm(join(work, 'repo', test.file));
  });

  it('gives no test when no entry point reproduces the failure at the blamed line', async () => {
    const items = {
      file: 'internal/cart/cart.go',
      line: 24,
      function: 'example.com/shop/internal/cart.(*Cart).Items',
    };
    const test = await generateRegressionTest(
      new GoRepo(join(work, 'repo')),
      diagnosisAt(items, 'nil-map-write', ['init-map-lazily']),
      evidenceWithStack(items, [items]),
      incident,
      { incidentDir: work },
    );
    expect(test).toBeUndefined();
  });
});
