// Goroutine headers read through the form cache give what parsing each line gives, accepted or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GoroutineHeader, GoroutineHeaders, parseGoroutineHeader } from './syntax.js';

const intern = (s: string, b: number, e: number): string => s.slice(b, e);
const blank = (): GoroutineHeader => ({ id: -1, state: '', waitMinutes: undefined, locked: false });

function parsed(line: string): GoroutineHeader | false {
  const out = blank();
  return parseGoroutineHeader(line, 0, line.length, out, intern) && out;
}

function cached(headers: GoroutineHeaders, line: string): GoroutineHeader | false {
  const out = blank();
  return headers.read(line, 0, line.length, out) && out;
}

const ids = fc.oneof(fc.nat(), fc.constantFrom('', '0', '1234567890123456', '99999999999999999999'));
const rests = fc.oneof(
  fc.constantFrom(
    ' [running]:',
    ' [chan receive]:',
    ' [chan receive, 5 minutes]:',
    ' [select, 1 minute, locked to thread]:',
    ' [semacquire, locked to thread]:',
    ' gp=0xc000007a40 m=3 mp=0xc000180008 [running]:',
    ' [sleep]',
    ' [sleep',
    '[running]:',
    ' running',
    '',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 30 }).map((s) => ` [${s}]:`),
);

describe('GoroutineHeaders', () => {
  it('reads every line as parseGoroutineHeader does, the first time and from its cache', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(ids, rests), { minLength: 1, maxLength: 12 }), (lines) => {
        const headers = new GoroutineHeaders(intern);
        for (const [id, rest] of [...lines, ...lines]) {
          const line = `goroutine ${id}${rest}`;
          expect(cached(headers, line)).toEqual(parsed(line));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives each id its own number with the form shared', () => {
    const headers = new GoroutineHeaders(intern);
    expect(cached(headers, 'goroutine 7 [chan receive, 5 minutes]:')).toEqual({
      id: 7,
      state: 'chan receive',
      waitMinutes: 5,
      locked: false,
    });
    expect(cached(headers, 'goroutine 123456 [chan receive, 5 minutes]:')).toMatchObject({
      id: 123456,
      waitMinutes: 5,
    });
    expect(cached(headers, 'goroutines 7 [running]:')).toBe(false);
  });
});
