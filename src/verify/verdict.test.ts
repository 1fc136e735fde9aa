// The verdict rules: a failure rejects, a check that could not run leaves it inconclusive, else verified.
import { describe, expect, it } from 'vitest';
import type { Check } from '../core/model.js';
import { decideVerdict } from './verdict.js';

const check = (name: Check['name'], outcome: Check['outcome'], note?: string): Check => ({
  name,
  command: [],
  outcome,
  durationMs: 1,
  excerpt: '',
  ...(note ? { note } : {}),
});
const passing = (...extra: Check[]) => [
  check('apply', 'pass'),
  check('build', 'pass'),
  check('vet', 'pass'),
  ...extra,
];

describe('decideVerdict', () => {
  it('verifies when the incident is shown fixed by the reproduction or the replay', () => {
    expect(decideVerdict(passing(check('reproduction', 'pass'), check('replay', 'skipped'))).verdict).toBe(
      'verified',
    );
    expect(decideVerdict(passing(check('reproduction', 'skipped'), check('replay', 'pass'))).verdict).toBe(
      'verified',
    );
  });

  it('rejects naming the first failing check', () => {
    const v = decideVerdict(
      passing(check('tests-after', 'fail', 'breaks TestX'), check('differential', 'fail')),
    );
    expect(v).toEqual({ verdict: 'rejected', reason: 'tests-after failed: breaks TestX.' });
  });

  it('is inconclusive when a check could not run, saying which and why', () => {
    const v = decideVerdict(
      passing(check('reproduction', 'pass'), check('concurrency', 'error', 'never failed before')),
    );
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('concurrency (never failed before)');
  });

  it('is inconclusive when nothing reproduced the incident', () => {
    const v = decideVerdict(passing(check('reproduction', 'skipped'), check('replay', 'skipped')));
    expect(v.verdict).toBe('inconclusive');
  });

  it('is inconclusive when the build never ran', () => {
    expect(decideVerdict([check('apply', 'pass'), check('replay', 'pass')]).verdict).toBe('inconclusive');
  });
});
