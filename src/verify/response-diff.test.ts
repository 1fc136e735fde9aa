// Differential replay's comparison: JSON by path, headers that matter, run-to-run variation explained.
import { describe, expect, it } from 'vitest';
import type { ReplayRequest } from '../core/model.js';
import { compareResponses, describeDifferences } from './response-diff.js';

const get = (path: string, response?: ReplayRequest['response']): ReplayRequest => ({
  method: 'GET',
  path,
  headers: {},
  body: '',
  ...(response ? { response } : {}),
});
const ok = (body: string, headers: Record<string, string> = {}) => ({ status: 200, headers, body });

describe('compareResponses', () => {
  it('sees no difference in equal answers, ignoring JSON key order and transport headers', () => {
    const diffs = compareResponses(
      [get('/a')],
      [ok('{"a":1,"b":[1,2]}', { date: 'Mon', 'content-length': '17', 'content-type': 'application/json' })],
      [ok('{"b":[1,2],"a":1}', { date: 'Tue', 'content-length': '18', 'content-type': 'application/json' })],
    );
    expect(diffs).toEqual([]);
  });

  it('names the JSON path, status and header that differ', () => {
    const diffs = compareResponses(
      [get('/cart')],
      [ok('{"items":{"apple":5}}', { 'content-type': 'application/json' })],
      [{ status: 201, headers: { 'content-type': 'text/plain' }, body: '{"items":{"apple":3}}' }],
    );
    expect(diffs.map((d) => d.field).sort()).toEqual(['body:$.items.apple', 'header:content-type', 'status']);
    expect(describeDifferences(diffs)).toContain('#1 GET /cart: body:$.items.apple: 5 -> 3');
  });

  it('explains a field the original itself answers differently from the recording', () => {
    const recorded = get('/now', ok('{"at":"10:00","n":1}'));
    const diffs = compareResponses([recorded], [ok('{"at":"10:05","n":1}')], [ok('{"at":"10:06","n":2}')]);
    const at = diffs.find((d) => d.field === 'body:$.at');
    const n = diffs.find((d) => d.field === 'body:$.n');
    expect(at?.explained).toBeDefined();
    expect(n?.explained).toBeUndefined();
  });

  it('never explains away a status or a dropped connection', () => {
    const recorded = get('/x', ok('a'));
    const diffs = compareResponses(
      [recorded],
      [{ status: 404, headers: {}, body: 'b' }],
      [{ error: 'ECONNRESET' }],
    );
    expect(diffs.filter((d) => d.explained === undefined).map((d) => d.field)).toContain('connection');
  });

  it('compares non-JSON bodies as text', () => {
    const diffs = compareResponses([get('/t')], [ok('hello')], [ok('hullo')]);
    expect(diffs).toMatchObject([{ field: 'body', original: 'hello', patched: 'hullo' }]);
  });
});
