// Verification's failure paths that need no Go build: clear typed errors, nothing half-made left behind.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Evidence, type Incident, SCHEMA_VERSION } from '../../src/core/model.js';
import { patchFromDiff, verifyCandidates } from '../../src/verify/index.js';
import { diffFiles } from '../../src/verify/patch-file.js';
import { readRecorded } from '../../src/verify/recorded.js';
import { SHOP } from './helpers.js';

let root: string;
let repoDir: string;

const incident = (artifacts: Incident['artifacts'] = []): Incident => ({
  schemaVersion: SCHEMA_VERSION,
  id: 'shop-errors',
  source: 'cli',
  receivedAt: new Date().toISOString(),
  service: { name: 'shop', repo: { path: repoDir }, mainPackage: './cmd/server', run: { args: [], env: {} } },
  artifacts,
});
const evidence: Evidence = {
  schemaVersion: SCHEMA_VERSION,
  incidentId: 'shop-errors',
  otherFailures: [],
  profiles: [],
  signature: 'unknown',
  signals: { panicScore: 0, pprofEntropy: 0, traceJitter: 0 },
  items: [],
  suspects: [],
};
const STALE_DIFF = `diff --git a/cart/cart.go b/cart/cart.go
--- a/cart/cart.go
+++ b/cart/cart.go
@@ -12,3 +12,3 @@
 func New() *Cart {
-	return &Cart{ledger: nil}
+	return &Cart{ledger: map[string]int{}}
 }
`;

const APPLIES =
  '--- a/cart/cart.go\n+++ b/cart/cart.go\n@@ -12,3 +12,3 @@\n func New() *Cart {\n-\treturn &Cart{}\n+\treturn &Cart{items: map[string]int{}}\n }\n';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'medic-verify-errors-'));
  repoDir = join(root, 'repo');
  await cp(SHOP, repoDir, { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ctx = (over: Partial<{ incident: Incident; workDir: string }> = {}) => ({
  incident: incident(),
  evidence,
  incidentDir: root,
  repoDir,
  workDir: join(root, 'work'),
  ...over,
});

describe('verify failure paths', () => {
  it('refuses an empty candidate list', async () => {
    await expect(verifyCandidates([], ctx())).rejects.toMatchObject({
      code: 'MEDIC_ERR_VERIFY_NO_CANDIDATES',
    });
  });

  it('refuses a candidate that is not a Patch record, naming the field', async () => {
    const bad = { ...patchFromDiff(APPLIES, 'shop-errors', 'fix.patch'), rank: 0 };
    const error = await verifyCandidates([bad], ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MEDIC_ERR_VERIFY_BAD_PATCH' });
    expect(JSON.stringify((error as { details: unknown }).details)).toContain('rank');
  });

  it('rejects a diff that does not apply, and removes its workspace', async () => {
    const patch = patchFromDiff(STALE_DIFF, 'shop-errors', 'stale.patch');
    const outcome = await verifyCandidates([patch], ctx());
    const v = outcome.verifications[0];
    expect(v?.verdict).toBe('rejected');
    expect(v?.checks[0]).toMatchObject({ name: 'apply', outcome: 'fail' });
    expect(v?.checks[0]?.excerpt).toContain('cart/cart.go');
    expect(v?.checks.slice(1).every((c) => c.outcome === 'skipped')).toBe(true);
    expect(await readdir(join(root, 'work'))).toEqual([]);
  });

  it('rejects a candidate whose regression test would be written outside the repository', async () => {
    const patch = {
      ...patchFromDiff(APPLIES, 'shop-errors', 'fix.patch'),
      regressionTest: {
        file: '../outside_test.go',
        packageDir: './cart',
        name: 'TestX',
        source: 'package cart\n',
        goTestFlags: [],
        validated: false,
      },
    };
    const v = (await verifyCandidates([patch], ctx())).verifications[0];
    expect(v?.verdict).toBe('rejected');
    expect(v?.checks[0]).toMatchObject({ name: 'apply', outcome: 'fail' });
    expect(v?.checks[0]?.note).toContain('outside the workspace');
    expect(existsSync(join(root, 'work', 'outside_test.go'))).toBe(false);
  });

  it('says the work directory is unusable with a retryable workspace error', async () => {
    await writeFile(join(root, 'file'), 'not a directory');
    const patch = patchFromDiff(STALE_DIFF, 'shop-errors', 'stale.patch');
    await expect(
      verifyCandidates([patch], ctx({ workDir: join(root, 'file', 'work') })),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_VERIFY_WORKSPACE',
      retryable: true,
    });
  });

  it('says Go cannot run when the go binary is missing', async () => {
    // A diff that applies: the toolchain is needed from the build check on.
    const applies = patchFromDiff(APPLIES, 'shop-errors', 'fix.patch');
    await expect(
      verifyCandidates([applies], ctx(), { goBinary: join(root, 'no-such-go') }),
    ).rejects.toMatchObject({
      code: 'MEDIC_ERR_VERIFY_TOOLCHAIN',
    });
    expect(await readdir(join(root, 'work'))).toEqual([]);
  });
});

describe('patch files', () => {
  it('reads the files a diff touches, including added and deleted ones', () => {
    const diff = [
      'diff --git a/a.go b/a.go',
      '--- a/a.go',
      '+++ b/a.go',
      '@@ -1 +1 @@',
      '-x',
      '+y',
      '--- /dev/null',
      '+++ b/new_test.go',
      '@@ -0,0 +1 @@',
      '+package a',
      '--- a/old.go',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-package a',
    ].join('\n');
    expect(diffFiles(diff)).toEqual(['a.go', 'new_test.go', 'old.go']);
  });

  it('refuses text that is not a unified diff', () => {
    expect(() => patchFromDiff('just some notes\n', 'x', 'notes.txt')).toThrow(
      expect.objectContaining({ code: 'MEDIC_ERR_VERIFY_BAD_PATCH' }),
    );
  });
});

describe('recorded inputs', () => {
  it('reports a malformed artifact as a problem instead of throwing', async () => {
    await mkdir(join(root, 'a'));
    await writeFile(join(root, 'a', 'request.json'), '{"method":"GET"}');
    await writeFile(join(root, 'a', 'traffic.ndjson'), '{"method":"GET","path":"/"}\nnot json\n');
    const badRequest = await readRecorded(incident([{ kind: 'request', path: 'a/request.json' }]), root);
    expect(badRequest.problem).toMatch(/a\/request.json is not a ReplayRequest: path/);
    const badTraffic = await readRecorded(incident([{ kind: 'traffic', path: 'a/traffic.ndjson' }]), root);
    expect(badTraffic.problem).toBe('a/traffic.ndjson line 2 is not JSON');
    const missing = await readRecorded(incident([{ kind: 'input', path: 'a/none.json' }]), root);
    expect(missing.problem).toMatch(/cannot read a\/none.json: ENOENT/);
    expect(existsSync(join(root, 'a', 'request.json'))).toBe(true);
  });
});
