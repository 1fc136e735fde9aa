/**
 * Test helpers for the verify stage: a recorded incident made by really running the shop service
 * (its panic log, the triggering request and normal traffic with the answers the service gave), and
 * Patch records built from edit specs with `git diff` (a Patch is an input record).
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';
import {
  type Evidence,
  type FailureClass,
  type Incident,
  type Patch,
  type RegressionTest,
  type ReplayRequest,
  SCHEMA_VERSION,
} from '../../src/core/model.js';
import { classifyOutput } from '../../src/verify/classify.js';
import { runReplayStep } from '../../src/verify/sandbox/replay-step.js';

export const SHOP = fileURLToPath(new URL('./shop', import.meta.url));

export const TRIGGER: ReplayRequest = {
  method: 'POST',
  path: '/carts/b/items?sku=apple&n=1',
  headers: {},
  body: '',
};

export const TRAFFIC: ReplayRequest[] = [
  {
    method: 'POST',
    path: '/carts/a/restore',
    headers: { 'Content-Type': 'application/json' },
    body: '{"apple":2}',
  },
  { method: 'POST', path: '/carts/a/items?sku=apple&n=3', headers: {}, body: '' },
  { method: 'POST', path: '/carts/a/items?sku=pear', headers: {}, body: '' },
  { method: 'GET', path: '/carts/a', headers: {}, body: '' },
  { method: 'GET', path: '/carts/zzz', headers: {}, body: '' },
];

export const REGRESSION_TEST: RegressionTest = {
  file: 'cart/medic_regression_test.go',
  packageDir: './cart',
  name: 'TestMedicRegressionAddToNewCart',
  kind: 'direct-call',
  goTestFlags: [],
  validated: false,
  source: `package cart

import "testing"

func TestMedicRegressionAddToNewCart(t *testing.T) {
	c := New()
	c.Add("apple", 1)
	if got := c.Count("apple"); got != 1 {
		t.Fatalf("Count = %d, want 1", got)
	}
}
`,
};

export interface Recorded {
  incident: Incident;
  evidence: Evidence;
  incidentDir: string;
  repoDir: string;
}

async function ok(argv: string[], cwd: string): Promise<string> {
  const r = await run(argv, { cwd });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Copies the shop module into `root/repo`, runs it, sends the trigger and the traffic, and writes an
 * incident directory from what really happened: the panic log, request.json and traffic.ndjson.
 */
export async function recordShopIncident(root: string, id = 'shop-nil-map'): Promise<Recorded> {
  const repoDir = join(root, 'repo');
  const incidentDir = join(root, 'incident');
  await cp(SHOP, repoDir, { recursive: true });
  await mkdir(join(incidentDir, 'artifacts'), { recursive: true });
  const binary = join(root, 'shop-server');
  await ok(['go', 'build', '-o', binary, './cmd/server'], repoDir);
  const base = {
    kind: 'replay' as const,
    argv: [binary, '-addr', '{addr}'],
    cwd: repoDir,
    env: { PATH: process.env.PATH ?? '' },
    limits: { cpuSeconds: 60, memoryBytes: null, fileBytes: 1 << 30, openFiles: 1024 },
    startTimeoutMs: 15_000,
    requestTimeoutMs: 10_000,
    lingerMs: 0,
  };
  const normal = await runReplayStep({ ...base, requests: TRAFFIC }, []);
  const failing = await runReplayStep({ ...base, requests: [TRIGGER] }, []);
  const traffic = TRAFFIC.map((req, i) => {
    const res = normal.responses[i];
    return res && !('error' in res) ? { ...req, response: res } : req;
  });
  await writeFile(join(incidentDir, 'artifacts', 'panic.log'), failing.stderr);
  await writeFile(join(incidentDir, 'artifacts', 'request.json'), JSON.stringify(TRIGGER));
  await writeFile(
    join(incidentDir, 'artifacts', 'traffic.ndjson'),
    `${traffic.map((t) => JSON.stringify(t)).join('\n')}\n`,
  );
  const incident: Incident = {
    schemaVersion: SCHEMA_VERSION,
    id,
    source: 'cli',
    receivedAt: new Date().toISOString(),
    service: {
      name: 'shop',
      repo: { path: repoDir },
      mainPackage: './cmd/server',
      run: { args: ['-addr', '{addr}'], env: { SHOP_API_TOKEN: 'not-for-the-sandbox' } },
    },
    artifacts: [
      { kind: 'panic-log', path: 'artifacts/panic.log' },
      { kind: 'request', path: 'artifacts/request.json' },
      { kind: 'traffic', path: 'artifacts/traffic.ndjson' },
    ],
  };
  await writeFile(join(incidentDir, 'incident.json'), JSON.stringify(incident, null, 2));
  return { incident, evidence: evidenceFrom(id, failing.stderr), incidentDir, repoDir };
}

/** Evidence holding the failure class the real panic output shows (the fields verify reads). */
export function evidenceFrom(id: string, panicLog: string): Evidence {
  const observed = classifyOutput(panicLog);
  if (!observed) throw new Error(`the recorded run did not fail:\n${panicLog}`);
  const cls: FailureClass = observed.class;
  return {
    schemaVersion: SCHEMA_VERSION,
    incidentId: id,
    failure: {
      schemaVersion: SCHEMA_VERSION,
      kind: 'panic',
      class: cls,
      message: observed.line,
      panicChain: [],
      goroutines: [],
      races: [],
      buckets: [],
      signature: `${cls}|example.com/shop/cart.(*Cart).Add`,
      source: {
        artifact: 'artifacts/panic.log',
        startLine: 1,
        endLine: Math.max(1, panicLog.split('\n').length),
      },
      truncated: false,
    },
    otherFailures: [],
    profiles: [],
    signature: `${cls}|example.com/shop/cart.(*Cart).Add`,
    signals: { panicScore: 1, pprofEntropy: 0, traceJitter: 0 },
    items: [],
    suspects: [],
  };
}

export interface Edit {
  file: string;
  from: string;
  to: string;
}

/** A Patch whose diff is what `git diff` prints after `edits` (each `from` must occur in the file). */
export async function makePatch(
  repoDir: string,
  scratch: string,
  rank: number,
  edits: Edit[],
  options: { test?: RegressionTest; newFiles?: Record<string, string>; incidentId?: string } = {},
): Promise<Patch> {
  const dir = join(scratch, `patch-${rank}`);
  await cp(repoDir, dir, { recursive: true });
  await ok(['git', 'init', '-q'], dir);
  await ok(['git', 'add', '-A'], dir);
  await ok(['git', '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base'], dir);
  for (const edit of edits) {
    const path = join(dir, edit.file);
    const text = await readFile(path, 'utf8');
    if (!text.includes(edit.from)) throw new Error(`${edit.file} does not contain ${edit.from}`);
    await writeFile(path, text.replace(edit.from, edit.to));
  }
  for (const [file, content] of Object.entries(options.newFiles ?? {})) {
    await writeFile(join(dir, file), content);
    await ok(['git', 'add', '-N', file], dir);
  }
  const diff = await ok(['git', 'diff'], dir);
  const files = [...new Set([...edits.map((e) => e.file), ...Object.keys(options.newFiles ?? {})])];
  return {
    schemaVersion: SCHEMA_VERSION,
    incidentId: options.incidentId ?? 'shop-nil-map',
    rank,
    strategy: 'init-map-at-construction',
    origin: 'rules',
    operations: [],
    diff,
    files,
    explanation: `test patch ${rank}`,
    ...(options.test ? { regressionTest: options.test } : {}),
  };
}
