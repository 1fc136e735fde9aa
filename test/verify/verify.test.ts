// Verification with real Go on the shop service: one candidate of each kind, verified in rank order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check, Patch, Verification } from '../../src/core/model.js';
import { type VerifyOutcome, verifyCandidates } from '../../src/verify/index.js';
import { makePatch, REGRESSION_TEST, type Recorded, recordShopIncident } from './helpers.js';

const NEW_CART = {
  file: 'cart/cart.go',
  from: 'return &Cart{}',
  to: 'return &Cart{items: map[string]int{}}',
};

let root: string;
let incident: Recorded;
let outcome: VerifyOutcome;
const seen: Check[] = [];

function byRank(rank: number): Verification {
  const v = outcome.verifications.find((x) => x.patchRank === rank);
  if (!v) throw new Error(`no verification for candidate ${rank}`);
  return v;
}

function check(v: Verification, name: Check['name']): Check {
  const c = v.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} check in candidate ${v.patchRank}`);
  return c;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medic-verify-'));
  incident = await recordShopIncident(root);
  const scratch = join(root, 'patches');
  const test = REGRESSION_TEST;
  const patches: Patch[] = [
    // 1: a comment change only: the regression test still panics.
    await makePatch(
      incident.repoDir,
      scratch,
      1,
      [
        {
          file: 'cart/cart.go',
          from: '// New returns an empty cart.',
          to: '// New returns an empty cart, ready for use.',
        },
      ],
      { test },
    ),
    // 2: does not compile.
    await makePatch(
      incident.repoDir,
      scratch,
      2,
      [{ file: 'cart/cart.go', from: 'return &Cart{}', to: 'return &Cart{items: map[string]string{}}' }],
      { test },
    ),
    // 3: fixes the map but breaks Restore, which an existing test checks.
    await makePatch(
      incident.repoDir,
      scratch,
      3,
      [NEW_CART, { file: 'cart/cart.go', from: 'c.items[sku] = n', to: 'c.items[sku] = n + 1' }],
      { test },
    ),
    // 4: hides the panic (lazy map) but Add now overwrites instead of adding: normal answers change.
    await makePatch(
      incident.repoDir,
      scratch,
      4,
      [
        {
          file: 'cart/cart.go',
          from: '\tc.items[sku] += n\n',
          to: '\tif c.items == nil {\n\t\tc.items = map[string]int{}\n\t}\n\tc.items[sku] = n\n',
        },
      ],
      { test },
    ),
    // 5: the right fix.
    await makePatch(incident.repoDir, scratch, 5, [NEW_CART], { test }),
    // 6: never tried: candidate 5 is verified first.
    await makePatch(incident.repoDir, scratch, 6, [NEW_CART], { test }),
  ];
  outcome = await verifyCandidates(
    patches,
    { ...incident, workDir: join(root, 'work') },
    { onCheck: (c) => seen.push(c) },
  );
}, 300_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('verifyCandidates on the shop incident', () => {
  it('tries candidates in rank order and stops at the first verified one', () => {
    expect(outcome.verifications.map((v) => v.patchRank)).toEqual([1, 2, 3, 4, 5]);
    expect(outcome.chosen?.rank).toBe(5);
    expect(seen.length).toBe(outcome.verifications.reduce((n, v) => n + v.checks.length, 0));
  });

  it('verifies the correct patch with every check passing and says where it ran', () => {
    const v = byRank(5);
    expect(v.verdict).toBe('verified');
    for (const name of [
      'apply',
      'build',
      'vet',
      'tests-before',
      'tests-after',
      'reproduction',
      'replay',
      'differential',
    ] as const) {
      expect(check(v, name).outcome, name).toBe('pass');
    }
    expect(check(v, 'concurrency').outcome).toBe('skipped');
    expect(check(v, 'reproduction').excerpt).toContain('assignment to entry in nil map');
    expect(check(v, 'replay').data).toMatchObject({ patchedAnswer: '200' });
    // cart changed; api and catalog depend on it; textutil does not and is left out.
    expect(check(v, 'tests-before').data).toMatchObject({ packages: 3, modulePackages: 5 });
    expect(check(v, 'tests-before').note).not.toContain('textutil');
    // The service ran natively in namespaces, so that is the weakest isolation; cart's tests ran under WASI,
    // catalog's natively because its test reads a file outside its package directory.
    expect(v.isolation.kind).toBe('netns');
    expect(v.isolation.reason).toMatch(/wasi: [^|]*\.\/cart tests/);
    expect(v.isolation.reason).toMatch(
      /\.\/catalog tests \([^)]*tests fail under wasip1 only \(TestTotalFromSharedPriceList\)/,
    );
    expect(v.isolation.reason).toContain('service replay');
  });

  it('rejects a no-op patch because the reproduction still fails', () => {
    const v = byRank(1);
    expect(v.verdict).toBe('rejected');
    const repro = check(v, 'reproduction');
    expect(repro.outcome).toBe('fail');
    expect(repro.excerpt).toContain('assignment to entry in nil map');
    expect(v.reason).toContain('reproduction');
  });

  it('rejects a patch that does not compile, with the compiler error in the build excerpt', () => {
    const v = byRank(2);
    expect(v.verdict).toBe('rejected');
    const build = check(v, 'build');
    expect(build.outcome).toBe('fail');
    expect(build.excerpt).toMatch(/cart\.go:\d+:\d+: cannot use map\[string\]string\{\}/);
    expect(check(v, 'tests-after').outcome).toBe('skipped');
  });

  it('rejects a patch that breaks an existing test, naming the test', () => {
    const v = byRank(3);
    expect(v.verdict).toBe('rejected');
    const after = check(v, 'tests-after');
    expect(after.outcome).toBe('fail');
    expect(after.note).toContain('TestRestoreKeepsQuantities');
  });

  it('catches a patch that hides the panic but changes normal answers by differential replay', () => {
    const v = byRank(4);
    expect(v.verdict).toBe('rejected');
    expect(check(v, 'tests-after').outcome).toBe('pass');
    expect(check(v, 'reproduction').outcome).toBe('pass');
    expect(check(v, 'replay').outcome).toBe('pass');
    const diff = check(v, 'differential');
    expect(diff.outcome).toBe('fail');
    expect(diff.excerpt).toContain('POST /carts/a/items?sku=apple&n=3: body:$.items.apple: 5 -> 3');
  });
});
