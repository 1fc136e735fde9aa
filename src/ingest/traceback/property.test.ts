// Property tests: truncation, interleaved log lines and garbage never make the parser throw or lose a complete goroutine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Failure, type Goroutine } from '../../core/model.js';
import { parseFailures } from './index.js';

const corpus = join(import.meta.dirname, '../../../test/traceback/corpus');
const FILES = [
  'deadlock.txt',
  'all-goroutines.txt',
  'system-goroutines.txt',
  'sigquit.txt',
  'race-then-panic.txt',
  'http-panic-serving.txt',
  'stack-overflow.txt',
  'recovered-chain.txt',
  'go1.17.13-deadlock.txt',
];
const texts = FILES.map((f) => readFileSync(join(corpus, f), 'utf8'));
const opts = { modulePath: 'example.com/shop' };

function parseChecked(text: string): Failure[] {
  const failures = parseFailures(text, opts);
  for (const f of failures) Failure.parse(f);
  return failures;
}

/** Goroutine blocks of a text: header line to the line before the next blank line, with their end offset. */
function blocks(text: string): Array<{ id: number; end: number }> {
  const out: Array<{ id: number; end: number }> = [];
  const re = /^goroutine (\d+) [^\n]*\]:\n(?:(?!goroutine )(?:\t|[a-z_.])[^\n]*\n)*/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text))
    out.push({ id: Number(m[1]), end: m.index + m[0].length });
  return out;
}

function frames(g: Goroutine | undefined): string[] {
  return (g?.frames ?? []).map((f) => `${f.function} ${f.file}:${f.line}`);
}

function allGoroutines(failures: Failure[]): Goroutine[] {
  return failures.filter((f) => f.kind !== 'race').flatMap((f) => f.goroutines);
}

const logLine = fc.oneof(
  fc
    .tuple(fc.constantFrom('INFO', 'WARN', 'DEBUG'), fc.stringMatching(/^[a-z ]{1,30}$/))
    .map(([lvl, msg]) => `2026-01-02T03:04:05.123Z ${lvl} ${msg} path=/api status=200`),
  fc.stringMatching(/^[a-z]{1,8}$/).map((w) => `{"level":"info","msg":"${w}","ts":1700000000.5}`),
  fc.stringMatching(/^[a-z]{1,8}$/).map((w) => `time=2026-01-02T03:04:05Z level=INFO msg=${w} n=3`),
  fc.stringMatching(/^[A-Za-z ,.]{1,40}$/).map((w) => `2026/01/02 03:04:05 ${w}`),
);

describe('parser properties', () => {
  it('never throws on a truncated output and keeps every goroutine completed before the cut', () => {
    const full = texts.map((t) => allGoroutines(parseChecked(t)));
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (i, at) => {
        const text = texts[i] ?? '';
        const cut = Math.floor(text.length * at);
        const parsed = allGoroutines(parseChecked(text.slice(0, cut)));
        const whole = full[i] ?? [];
        for (const [n, block] of blocks(text).entries()) {
          if (block.end > cut) continue;
          expect(frames(parsed[n])).toEqual(frames(whole[n]));
          expect(parsed[n]?.id).toBe(block.id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every goroutine and failure when log lines are interleaved between lines', () => {
    fc.assert(
      fc.property(
        fc.nat(texts.length - 1),
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.array(logLine, { minLength: 1, maxLength: 3 }),
          ),
          {
            maxLength: 12,
          },
        ),
        (i, inserts) => {
          const text = texts[i] ?? '';
          const lines = text.split('\n');
          for (const [at, extra] of inserts) lines.splice(Math.floor(lines.length * at), 0, ...extra);
          const expected = parseChecked(text);
          const got = parseChecked(lines.join('\n'));
          expect(got.map((f) => `${f.kind}/${f.class}`)).toEqual(expected.map((f) => `${f.kind}/${f.class}`));
          expect(allGoroutines(got).map((g) => [g.id, frames(g)])).toEqual(
            allGoroutines(expected).map((g) => [g.id, frames(g)]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  const tokens = fc.constantFrom(
    'goroutine 1 [',
    'goroutine 7 gp=0x1 m=2 mp=0x3 [running]:\n',
    'goroutine 2 [chan receive, 3 minutes, locked to thread]:\n',
    'panic: ',
    '\tpanic: ',
    ' [recovered]',
    'fatal error: ',
    'runtime: ',
    'runtime stack:\n',
    '\t',
    '\n',
    '\n\n',
    'created by main.main in goroutine 1\n',
    'main.main(',
    '(*T).M',
    ')',
    '(...)\n',
    ':12',
    ' +0x1d',
    ' fp=0x1 sp=0x2 pc=0x3',
    '...additional frames elided...\n',
    'WARNING: DATA RACE\n',
    'Read at 0x00c000 by goroutine 3:\n',
    '  main.f()\n      /x.go:1 +0x1\n',
    'Goroutine 3 (running) created at:\n',
    '==================\n',
    'SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n',
    '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1]\n',
    'rax    0x0\n',
    '-----\n',
    'http: panic serving 1.2.3.4:5: ',
    '{"log":"',
    '{"stack":"main.f\\n\\t/a.go:1\\n","panic":"x"}',
    '"}\n',
    'stack="goroutine 1 [running]:\\nmain.f()\\n\\t/a.go:1\\n" panic=x\n',
    '2026-01-02T03:04:05.123Z ',
    '2026-01-02T03:04:05Z stderr P ',
    'Jan  2 15:04:05 host app[1]: ',
    '[pod/x/y] ',
    'shop-1  | ',
    '\u0000\uffff\r',
  );

  it('never throws or hangs on garbage, token soup, or traces with bytes replaced', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000, unit: 'binary' }), (s) => {
        parseChecked(s);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 200 }), (parts) => {
        parseChecked(parts.join(''));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.nat(texts.length - 1),
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ maxLength: 40, unit: 'binary' })),
          {
            maxLength: 8,
          },
        ),
        (i, edits) => {
          let text = texts[i] ?? '';
          for (const [at, junk] of edits) {
            const p = Math.floor(text.length * at);
            text = text.slice(0, p) + junk + text.slice(p + junk.length);
          }
          parseChecked(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads pathological lines in linear time (no backtracking, no scans past the line end)', () => {
    // 20k-character lines with no newline, colon runs and parentheses: each would be quadratic with naive searches.
    const long = [
      'a'.repeat(200_000),
      `${'('.repeat(50_000)}`,
      `\t${':1'.repeat(50_000)}`,
      `panic: ${'x'.repeat(100_000)}`,
    ];
    for (const line of long) expect(parseChecked(`${line}\n`.repeat(20)).length).toBeLessThanOrEqual(20);
  });
});
