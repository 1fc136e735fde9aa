// The concurrency check with real Go: a data race repeated under -race with GOMAXPROCS varied, before and after.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import {
  type Evidence,
  type Incident,
  type Patch,
  type RegressionTest,
  SCHEMA_VERSION,
} from '../../src/core/model.js';
import { type VerifyOutcome, verifyCandidates } from '../../src/verify/index.js';
import { evidenceFrom, makePatch } from './helpers.js';

const TALLY = fileURLToPath(new URL('./tally', import.meta.url));
const TEST: RegressionTest = {
  file: 'medic_regression_test.go',
  packageDir: '.',
  name: 'TestMedicRegressionConcurrentAdd',
  kind: 'concurrent',
  goTestFlags: ['-race'],
  validated: false,
  source: `package tally

import (
	"sync"
	"testing"
)

func TestMedicRegressionConcurrentAdd(t *testing.T) {
	c := New()
	var wg sync.WaitGroup
	// Writers and readers share nothing but the counter, so any unguarded access races deterministically.
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(writer bool) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if writer {
					c.Add("k")
				} else {
					_ = c.Get("k")
				}
			}
		}(i%2 == 0)
	}
	wg.Wait()
	if got := c.Get("k"); got != 200 {
		t.Fatalf("Get = %d, want 200", got)
	}
}
`,
};

let root: string;
let outcome: VerifyOutcome;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medic-verify-race-'));
  const repoDir = join(root, 'repo');
  await cp(TALLY, repoDir, { recursive: true });
  // The incident's failure: the regression test really run on the original under the race detector.
  const probe = join(root, 'probe');
  await cp(TALLY, probe, { recursive: true });
  await writeFile(join(probe, TEST.file), TEST.source);
  const raced = await run(['go', 'test', '-race', '-count=1', '-run', TEST.name, '.'], { cwd: probe });
  const evidence: Evidence = evidenceFrom('tally-race', `${raced.stdout}${raced.stderr}`);
  const incident: Incident = {
    schemaVersion: SCHEMA_VERSION,
    id: 'tally-race',
    source: 'cli',
    receivedAt: new Date().toISOString(),
    service: { name: 'tally', repo: { path: repoDir }, mainPackage: '.', run: { args: [], env: {} } },
    artifacts: [],
  };
  const lock = {
    file: 'tally.go',
    from: 'type Counter struct {\n',
    to: 'type Counter struct {\n\tmu     sync.Mutex\n',
  };
  const imports = { file: 'tally.go', from: 'package tally\n', to: 'package tally\n\nimport "sync"\n' };
  const add = {
    file: 'tally.go',
    from: '\tc.counts[key]++\n',
    to: '\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.counts[key]++\n',
  };
  const get = {
    file: 'tally.go',
    from: '\treturn c.counts[key]\n',
    to: '\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\treturn c.counts[key]\n',
  };
  const scratch = join(root, 'patches');
  const patches: Patch[] = [
    // 1: locks the writer only: the reader still races.
    {
      ...(await makePatch(repoDir, scratch, 1, [imports, lock, add], {
        test: TEST,
        incidentId: 'tally-race',
      })),
      strategy: 'add-mutex',
    },
    // 2: locks both.
    {
      ...(await makePatch(repoDir, scratch, 2, [imports, lock, add, get], {
        test: TEST,
        incidentId: 'tally-race',
      })),
      strategy: 'add-mutex',
    },
  ];
  outcome = await verifyCandidates(
    patches,
    { incident, evidence, incidentDir: root, repoDir, workDir: join(root, 'work') },
    { concurrencyRuns: 8 },
  );
}, 300_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('concurrency classes', () => {
  it('verifies the mutex around every access, with run counts and a confidence figure', () => {
    const v = outcome.verifications.find((x) => x.patchRank === 2);
    expect(v?.verdict).toBe('verified');
    const c = v?.checks.find((x) => x.name === 'concurrency');
    expect(c?.outcome).toBe('pass');
    expect(c?.data).toMatchObject({ runs: 8, failedBefore: 8, failedAfter: 0, gomaxprocs: '1,2,4,8' });
    expect(Number(c?.data?.confidence)).toBeGreaterThan(0.99);
    expect(v?.isolation.reason).toContain('runs of TestMedicRegressionConcurrentAdd under -race');
  });

  it('rejects a lock on the writer only: the race is still there', () => {
    const v = outcome.verifications.find((x) => x.patchRank === 1);
    expect(v?.verdict).toBe('rejected');
    const failed = v?.checks.find((x) => x.outcome === 'fail');
    expect(failed?.name).toBe('reproduction');
    expect(failed?.excerpt).toContain('DATA RACE');
  });
});
