// Replaying repeated goroutines gives exactly what the line parser gives, on every corpus output and on edited ones.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Failure } from '../../core/model/failure.js';
import { FrameFactory } from './frames.js';
import { Lines } from './lines.js';
import { Parser } from './parser.js';
import { PathMapper } from './paths.js';
import { StackReplay } from './replay.js';

const corpus = join(import.meta.dirname, '../../../test/traceback/corpus');
const outputs = readdirSync(corpus).filter((f) => f.endsWith('.txt'));
const pool = readFileSync(join(corpus, 'pool.txt'), 'utf8');

function parse(text: string, replay: boolean, modulePath?: string): Failure[] {
  const ff = new FrameFactory(new PathMapper({ modulePath }));
  // Every level: replayed goroutines are grouped from what replay read (see buckets.ts, Repeat).
  const levels = ['exact', 'any-pointer', 'any-value'] as const;
  const failures = new Parser(new Lines(text), ff, { artifact: 'x', levels, replay }).run();
  ff.finish();
  return failures;
}

function same(text: string, modulePath?: string): void {
  expect(parse(text, true, modulePath)).toEqual(parse(text, false, modulePath));
}

/** How many goroutines the parse of `text` replayed. */
function replayed(text: string): number {
  const spy = vi.spyOn(StackReplay.prototype, 'replay');
  parse(text, true);
  const n = spy.mock.results.filter((r) => r.type === 'return' && (r.value as number) >= 0).length;
  spy.mockRestore();
  return n;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('goroutine replay', () => {
  it('gives the records of the line parser on every corpus output', () => {
    for (const file of outputs) same(readFileSync(join(corpus, file), 'utf8'), 'example.com/corpus');
  });

  it('replays the goroutines of a pool that repeat a stack read before', () => {
    // 31 goroutines: the workers repeat a few stacks with other arguments.
    expect(replayed(pool)).toBeGreaterThan(20);
    // The same goroutines with every line's prefix stripped by the line reader: never replayed.
    const prefixed = pool.replaceAll(/^/gm, '2026-01-02T03:04:05.123Z ');
    expect(replayed(prefixed)).toBe(0);
    same(prefixed);
    // CRLF lines are not replayed either, and parse alike.
    expect(replayed(pool.replaceAll('\n', '\r\n'))).toBe(0);
  });

  it('gives the records of the line parser when repeated goroutines are cut, edited or interleaved', () => {
    const edits = fc.constantFrom(
      '(',
      ')',
      '\n',
      '\n\n',
      '\r',
      'x',
      ' ',
      '\t',
      '0x1?',
      'stdout F ',
      '2026-01-02T03:04:05Z ',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), edits, fc.nat(3)), { maxLength: 6 }),
        fc.double({ min: 0.2, max: 1, noNaN: true }),
        (changes, cut) => {
          let text = pool;
          for (const [at, insert, drop] of changes) {
            const p = Math.floor(text.length * at);
            text = text.slice(0, p) + insert + text.slice(p + drop);
          }
          same(text.slice(0, Math.floor(text.length * cut)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tells apart stacks that share their first frames, and a stack that ends where a longer one goes on', () => {
    const g = (id: number, arg: string, frames: string[]): string =>
      [`goroutine ${id} [chan receive]:`, ...frames.map((f) => f.replace('ARG', arg)), ''].join('\n');
    const leaf = ['main.leaf(ARG)', '\t/app/main.go:31 +0xbb'];
    const mid = ['main.mid(ARG, 0x0?)', '\t/app/main.go:40 +0x25'];
    const top = ['main.top(...)', '\t/app/main.go:50'];
    const text = [
      g(1, '0xc000010000', leaf),
      g(2, '0xc000020000', [...leaf, ...mid]),
      g(3, '0xc000030000', [...leaf, ...mid, ...top]),
      g(4, '0xc000040000', leaf),
      g(5, '0xc000050000', [...leaf, ...mid, ...top]),
      g(6, '0xc000060000', [...leaf, ...mid]),
      g(7, '0xc(00070000', [...leaf, ...mid]),
    ].join('\n');
    // 1 opens the dump, 2 to 4 are new paths, 5 and 6 repeat 3 and 2; 7's `(` sends it to the line parser.
    expect(replayed(text)).toBe(2);
    const [dump] = parse(text, true);
    expect(dump?.goroutines.slice(0, 6).map((x) => x.frames.length)).toEqual([1, 2, 3, 1, 3, 2]);
    expect(dump?.goroutines[4]?.frames.map((f) => f.args)).toEqual([
      '0xc000050000',
      '0xc000050000, 0x0?',
      '...',
    ]);
    same(text);
  });

  it('groups a replayed goroutine with the one it repeats only when state and arguments agree at the level', () => {
    const g = (id: number, state: string, a: string, b: string): string =>
      [
        `goroutine ${id} [${state}]:`,
        `main.leaf(${a})`,
        '\t/app/main.go:31 +0xbb',
        `main.mid(${a}, ${b})`,
        '\t/app/main.go:40 +0x25',
        `main.top(${b})`,
        '\t/app/main.go:50 +0x25',
        '',
      ].join('\n');
    const text = [
      g(1, 'running', '0x1', '0x2'),
      g(2, 'chan receive', '0xc000010000', '0x0?'),
      g(3, 'chan receive', '0xc000020000', '0x1?'), // equal to 2 but for pointers and stale values
      g(4, 'select', '0xc000030000', '0x2?'), // another state
      g(5, 'chan receive', '0xc000040000', '0x7'), // a value any-pointer compares
      g(6, 'chan receive', '0xc000020000', '0x1?'), // exactly 3
      g(7, 'chan receive, 3 minutes', '0x1', '0x2'), // minutes are not part of the state
    ].join('\n');
    // 1 opens the dump, 2 is recorded, 3 to 6 repeat it (7, the last, has no blank line after it).
    expect(replayed(text)).toBe(4);
    const [dump] = parse(text, true);
    const groups = (level: string) =>
      dump?.buckets.filter((b) => b.level === level && b.ids.some((id) => id > 1)).map((b) => b.ids.sort());
    expect(groups('exact')).toEqual([[3, 6], [2], [4], [5], [7]]);
    expect(groups('any-pointer')).toEqual([[2, 3, 6], [4], [5], [7]]);
    expect(groups('any-value')).toEqual([[2, 3, 5, 6, 7], [4]]);
    same(text);
  });
});
