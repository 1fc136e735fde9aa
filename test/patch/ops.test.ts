// Every edit operation on real Go (test/patch/go/ops): parses, gofmt-stable, untouched lines kept, and the patched package passes vet and its tests.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { GoRepo } from '../../src/lang/go/index.js';
import { buildCandidate } from '../../src/patch/candidate.js';
import { gofmt } from '../../src/patch/go/gofmt.js';
import type { Operation } from '../../src/patch/ops/schema.js';

const OPS = join(import.meta.dirname, 'go/ops');
const F = 'bugs/maps.go';
const G = 'bugs/guards.go';
const C = 'bugs/channels.go';
const S = 'bugs/shared.go';
const U = 'bugs/ünïcode.go';
const L = 'bugs/locks.go';
const P = 'example.com/ops/bugs';

interface Case {
  name: string;
  op: Operation;
  /** Text the patched file must contain. */
  expect: string[];
  /** Original lines the diff may remove (replaced lines); inserts remove none. */
  removes?: number;
}

const cases: Case[] = [
  {
    name: 'init-map-at-construction (multi-line literal)',
    op: {
      op: 'init-map-at-construction',
      file: F,
      line: 21,
      function: `${P}.(*Registry).Register`,
      map: 'r.names',
    },
    expect: ['names: make(map[string]int),'],
    removes: 1,
  },
  {
    name: 'init-map-at-construction (package var)',
    op: { op: 'init-map-at-construction', file: F, line: 28, function: `${P}.Hit`, map: 'hits' },
    expect: ['var hits = make(map[string]int)'],
    removes: 1,
  },
  {
    name: 'init-map-lazily',
    op: { op: 'init-map-lazily', file: F, line: 21, function: `${P}.(*Registry).Register`, map: 'r.names' },
    expect: ['if r.names == nil {\n\t\tr.names = make(map[string]int)\n\t}\n\tr.names[n]++'],
  },
  {
    name: 'nil-guard',
    op: { op: 'nil-guard', file: G, line: 16, function: `${P}.Total`, value: 'o' },
    expect: ['if o == nil {\n\t\treturn 0, errors.New("Total: o is nil")\n\t}\n\tif o.Qty < 0'],
  },
  {
    name: 'bounds-check (index)',
    op: { op: 'bounds-check', file: G, line: 24, function: `${P}.Second`, expr: 'parts[1]' },
    expect: ['if len(parts) <= 1 {\n\t\treturn "", errors.New("Second: parts[1] out of range")'],
  },
  {
    name: 'bounds-check (slice)',
    op: { op: 'bounds-check', file: G, line: 29, function: `${P}.Head`, expr: 's[:n]' },
    expect: ['if n > len(s) {\n\t\treturn ""\n\t}'],
  },
  {
    name: 'division-guard',
    op: { op: 'division-guard', file: G, line: 34, function: `${P}.Average`, divisor: 'n' },
    expect: ['if n == 0 {\n\t\treturn 0\n\t}'],
  },
  {
    name: 'checked-type-assertion (declaration)',
    op: { op: 'checked-type-assertion', file: G, line: 39, function: `${P}.Name`, expr: 'v.(fmt.Stringer)' },
    expect: ['s, ok := v.(fmt.Stringer)\n\tif !ok {\n\t\treturn ""\n\t}'],
    removes: 1,
  },
  {
    name: 'checked-type-assertion (inline)',
    op: { op: 'checked-type-assertion', file: G, line: 45, function: `${P}.Length`, expr: 'v.(string)' },
    expect: ['value, ok := v.(string)', 'return len(value), nil'],
    removes: 1,
  },
  {
    name: 'close-once',
    op: { op: 'close-once', file: C, line: 17, function: `${P}.(*Worker).Stop`, channel: 'w.done' },
    expect: [
      'doneOnce sync.Once',
      'w.doneOnce.Do(func() { close(w.done) })',
      'import (\n\t"context"\n\t"sync"\n)',
    ],
    removes: 3,
  },
  {
    name: 'remove-close',
    op: { op: 'remove-close', file: C, line: 41, function: `${P}.(*Feed).Cancel`, channel: 'f.out' },
    expect: ['func (f *Feed) Cancel() {\n}'],
    removes: 1,
  },
  {
    name: 'select-on-done',
    op: { op: 'select-on-done', file: C, line: 48, function: `${P}.FirstResult.func1`, channel: 'ch' },
    expect: ['select {\n\t\tcase ch <- work():\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\t}'],
    removes: 1,
  },
  {
    name: 'buffer-channel',
    op: { op: 'buffer-channel', file: C, line: 48, function: `${P}.FirstResult.func1`, channel: 'ch' },
    expect: ['ch := make(chan int, 1)'],
    removes: 1,
  },
  {
    name: 'recover-and-log',
    op: { op: 'recover-and-log', file: C, line: 60, function: `${P}.Spawn.func1` },
    expect: ['if r := recover(); r != nil {', 'debug.Stack()', '"runtime/debug"'],
    removes: 1,
  },
  {
    name: 'add-mutex',
    op: {
      op: 'add-mutex',
      file: S,
      line: 16,
      function: `${P}.(*Stats).Add`,
      type: 'Stats',
      fields: ['counts', 'total'],
    },
    expect: [
      'mu     sync.Mutex',
      's.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.counts[key]++',
      's.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn s.counts[key]',
    ],
  },
  {
    name: 'bound-growth (map)',
    op: {
      op: 'bound-growth',
      file: S,
      line: 39,
      function: `${P}.(*Cache).Put`,
      collection: 'c.entries',
      limit: 10,
    },
    expect: ['const maxEntries = 10', 'for old := range c.entries {\n\t\t\tdelete(c.entries, old)'],
  },
  {
    name: 'bound-growth (slice)',
    op: {
      op: 'bound-growth',
      file: S,
      line: 40,
      function: `${P}.(*Cache).Put`,
      collection: 'c.log',
      limit: 10,
    },
    expect: ['c.log = append(c.log[:0], c.log[len(c.log)-maxLogEntries+1:]...)'],
  },
  {
    name: 'bounds-check on a non-ASCII file',
    op: { op: 'bounds-check', file: U, line: 7, function: `${P}.Grüße`, expr: 'names[0]' },
    expect: [
      'gruß := "Grüße, 世界 😀 "\n\tif len(names) <= 0 {\n\t\treturn ""\n\t}\n\treturn gruß + names[0] + " ✓"',
    ],
  },
  {
    name: 'call-locked-variant (the package has one)',
    op: {
      op: 'call-locked-variant',
      file: L,
      line: 26,
      function: `${P}.(*Ledger).withdraw`,
      method: 'Balance',
    },
    expect: ['if l.balanceLocked(account) < amount {'],
    removes: 1,
  },
  {
    name: 'call-locked-variant (extracted from the locking method)',
    op: {
      op: 'call-locked-variant',
      file: L,
      line: 29,
      function: `${P}.(*Ledger).withdraw`,
      method: 'Limit',
    },
    expect: [
      'if l.limitLocked(account) < amount {',
      '\tdefer l.mu.Unlock()\n\treturn l.limitLocked(account)\n}',
      '// limitLocked is Limit for callers that already hold l.mu.\nfunc (l *Ledger) limitLocked(account string) int {\n\tif v, ok := l.limits[account]; ok {',
    ],
    removes: 5,
  },
  {
    name: 'call-locked-variant (the method itself holds the lock)',
    op: {
      op: 'call-locked-variant',
      file: L,
      line: 41,
      function: `${P}.(*Ledger).Deposit`,
      method: 'Balance',
    },
    expect: ['return l.balanceLocked(account)\n}\n\n// Report'],
    removes: 1,
  },
  {
    name: 'release-on-all-paths',
    op: {
      op: 'release-on-all-paths',
      file: 'bugs/release.go',
      line: 42,
      function: `${P}.Handle`,
      release: 'p.Release(id)',
    },
    expect: ['if err != nil {\n\t\treturn err\n\t}\n\tdefer p.Release(id)\n\tif fail {'],
    removes: 1,
  },
  {
    name: 'skip-if-nil (literal fields)',
    op: { op: 'skip-if-nil', file: G, line: 67, function: `${P}.CardOf`, value: 'u.Profile' },
    expect: [
      'card := Card{\n\t\tName: u.Name,\n\t}\n\tif u.Profile != nil {\n\t\tcard.Title = u.Profile.Title\n\t}\n\treturn card',
    ],
    removes: 4,
  },
  {
    name: 'skip-if-nil (statements)',
    op: { op: 'skip-if-nil', file: G, line: 74, function: `${P}.Describe`, value: 'u.Profile' },
    expect: ['if u.Profile != nil {\n\t\t*out = append(*out, u.Profile.Title)\n\t}'],
    removes: 1,
  },
  {
    name: 'remove-close (the callee owns the channel; the consumer drains)',
    op: { op: 'remove-close', file: C, line: 82, function: `${P}.FirstTwo`, channel: 'stream' },
    expect: ['go func() {\n\t\t\t\tfor range stream {\n\t\t\t\t}\n\t\t\t}()\n\t\t\tbreak'],
    removes: 1,
  },
  {
    name: 'return-error (an error result added, the caller passes it up)',
    op: { op: 'return-error', file: 'bugs/errors.go', line: 16, function: `${P}.codecFor` },
    expect: [
      'func codecFor(name string) (*Codec, error) {',
      'return &Codec{Name: name}, nil',
      'return nil, fmt.Errorf("no codec for")',
      'c, err := codecFor(name)\n\tif err != nil {\n\t\treturn "", err\n\t}',
    ],
    removes: 5,
  },
];

let work: string;
let repo: GoRepo;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medic-ops-'));
  await cp(OPS, work, { recursive: true });
  repo = new GoRepo(work);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function removedLines(diff: string): string[] {
  return diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'));
}

describe('each operation', () => {
  it.each(cases)('$name', async ({ op, expect: wanted, removes }) => {
    const built = await buildCandidate(repo, [op]);
    expect(built.operations[0]?.explanation).toMatch(/\S/);
    for (const change of built.changes) {
      expect(await gofmt(change.after, change.path)).toBe(change.after);
    }
    const text = [...built.files.values()].join('\n');
    for (const w of wanted) expect(text).toContain(w);
    // Untouched lines stay byte-identical: the minimal diff removes only the lines the operation replaces.
    expect(removedLines(built.diff).length).toBeLessThanOrEqual(removes ?? 0);
  });

  it('marks recover-and-log as a last resort', async () => {
    const built = await buildCandidate(repo, [
      { op: 'recover-and-log', file: C, line: 60, function: `${P}.Spawn.func1` },
    ]);
    expect(built.operations[0]?.lastResort).toBe(true);
  });
});

const R = 'bugs/refuse.go';

describe('preconditions', () => {
  it.each([
    [
      'a struct built by new()',
      { op: 'init-map-at-construction', file: R, line: 15, function: `${P}.(*Bag).Put`, map: 'b.items' },
    ],
    ['a float divisor', { op: 'division-guard', file: R, line: 20, function: `${P}.Ratio`, divisor: 'b' }],
    [
      'a mutex in a value-receiver type',
      { op: 'add-mutex', file: R, line: 30, type: 'Point', fields: ['X'] },
    ],
    ['indexing a map', { op: 'bounds-check', file: R, line: 36, function: `${P}.Lookup`, expr: 'm[k]' }],
    [
      'an expression that is not there',
      { op: 'nil-guard', file: G, line: 16, function: `${P}.Total`, value: 'nothing' },
    ],
    [
      'a function that is not there',
      { op: 'nil-guard', file: G, line: 16, function: `${P}.Nope`, value: 'o' },
    ],
    [
      'a site far from the recorded line',
      { op: 'nil-guard', file: G, line: 200, function: `${P}.Total`, value: 'o' },
    ],
    [
      'a call of a method that does not lock',
      {
        op: 'call-locked-variant',
        file: L,
        line: 56,
        function: `${P}.(*Ledger).Balance`,
        method: 'balanceLocked',
      },
    ],
    [
      'a call made without the lock held',
      { op: 'call-locked-variant', file: L, line: 46, function: `${P}.(*Ledger).Report`, method: 'Balance' },
    ],
    [
      'a release no early return skips',
      {
        op: 'release-on-all-paths',
        file: F,
        line: 21,
        function: `${P}.(*Registry).Register`,
        release: 'r.names.Close()',
      },
    ],
    [
      'a struct returned by value from a two-result call',
      { op: 'nil-guard', file: G, line: 87, function: `${P}.NameOf`, value: 'u' },
    ],
    [
      'a nil value read again after the skipped part',
      { op: 'skip-if-nil', file: G, line: 15, function: `${P}.Total`, value: 'o' },
    ],
    [
      'a panic whose caller has no error to pass up',
      { op: 'return-error', file: 'bugs/errors.go', line: 28, function: `${P}.mustPositive` },
    ],
    [
      'a close with no other owner',
      { op: 'remove-close', file: C, line: 17, function: `${P}.(*Worker).Stop`, channel: 'w.done' },
    ],
  ] as [string, Operation][])('refuses %s with MEDIC_ERR_PATCH_PRECONDITION', async (_label, op) => {
    await expect(buildCandidate(repo, [op])).rejects.toMatchObject({ code: 'MEDIC_ERR_PATCH_PRECONDITION' });
  });

  it('still makes the map lazily where construction cannot', async () => {
    const built = await buildCandidate(repo, [
      { op: 'init-map-lazily', file: R, line: 15, function: `${P}.(*Bag).Put`, map: 'b.items' },
    ]);
    expect(built.diff).toContain('+\tif b.items == nil {');
  });
});

describe('patched package', () => {
  // Two sets so alternatives for the same site do not stack; each set is vetted and tested once.
  const primary = [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
  const alternative = [2, 12];

  it.each([
    ['primary operations', primary],
    ['alternative operations', alternative],
  ])('%s: go vet passes and the failing calls are fixed', async (_label, indexes) => {
    const ops = indexes.map((i) => cases[i]?.op).filter((o): o is Operation => o !== undefined);
    const built = await buildCandidate(repo, ops);
    const dir = await mkdtemp(join(tmpdir(), 'medic-ops-patched-'));
    try {
      await cp(OPS, dir, { recursive: true });
      for (const [path, text] of built.files) await writeFile(join(dir, path), text);
      const vet = await run(['go', 'vet', './...'], { cwd: dir });
      expect(vet.stderr).toBe('');
      const tests = indexes.length === primary.length ? '.*' : '^(TestRegister|TestFirstResultCancelled)$';
      const result = await run(['go', 'test', '-count=1', '-run', tests, './...'], { cwd: dir });
      expect(result.stdout + result.stderr).toMatch(/^ok/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
