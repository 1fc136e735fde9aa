/**
 * Rollout test inputs made from the nil-map-write fixture: a run directory as `medic replay --out`
 * leaves it (checkout, a fix commit on medic/<id> built from source edits, evidence from the real
 * ingest, the verification and proposal records), the fixes tried, and request mixes for load.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareCheckout } from '../../src/core/checkout.js';
import { run } from '../../src/core/exec.js';
import { Incident, type ReplayRequest, SCHEMA_VERSION } from '../../src/core/model.js';
import { DirectoryStore } from '../../src/core/record-store.js';
import { ingest } from '../../src/ingest/index.js';

export const FIXTURE = fileURLToPath(new URL('../../fixtures/incidents/nil-map-write', import.meta.url));

export interface Edit {
  file: string;
  from: string;
  to: string;
}

/** The reference fix: the backorders map is made with the ledger. */
export const GOOD_FIX: Edit[] = [
  {
    file: 'internal/inventory/ledger.go',
    from: 'return &Ledger{onHand: onHand}',
    to: 'return &Ledger{onHand: onHand, backorders: make(map[string][]Backorder)}',
  },
];

/** The fix plus a regression: every stock lookup answers 500. */
export const ERRORING_FIX: Edit[] = [
  ...GOOD_FIX,
  {
    file: 'internal/httpapi/server.go',
    from: '\tsku := r.PathValue("sku")\n',
    to: '\tsku := r.PathValue("sku")\n\tif sku != "" {\n\t\twriteError(w, http.StatusInternalServerError, "stock service unavailable")\n\t\treturn\n\t}\n',
  },
];

/**
 * A fix that passes the recorded trigger (25 lamps, 13 short) but not a smaller shortfall: the same
 * write to the nil map panics again for an order one unit short.
 */
export const PARTIAL_FIX: Edit[] = [
  {
    file: 'internal/inventory/ledger.go',
    from: '\tif short := qty - res.Reserved; short > 0 {\n',
    to: '\tif short := qty - res.Reserved; short > 0 {\n\t\tif l.backorders == nil && short >= 10 {\n\t\t\tl.backorders = make(map[string][]Backorder)\n\t\t}\n',
  },
];

/** A change that does not compile. */
export const BROKEN_FIX: Edit[] = [
  {
    file: 'internal/inventory/ledger.go',
    from: 'return &Ledger{onHand: onHand}',
    to: 'return &Ledger{onHand: onHand',
  },
];

const get = (path: string): ReplayRequest => ({ method: 'GET', path, headers: {}, body: '' });

/** Reads only: every build answers them the same (200s and a 404 for an unknown SKU). */
export const READS: ReplayRequest[] = [
  get('/healthz'),
  get('/stock/lamp'),
  get('/stock/chair'),
  get('/stock/sofa'),
];

/** An order one rug short of stock: the original and the partial fix panic on it. */
export const SHORT_ORDER: ReplayRequest = {
  method: 'POST',
  path: '/orders',
  headers: { 'Content-Type': 'application/json' },
  body: '{"lines":[{"sku":"rug","qty":7}]}',
};

export interface RunDir {
  runDir: string;
  repoDir: string;
  commit: string;
  baseCommit: string;
}

/** A run directory as `medic replay --out` leaves it, with the fix made of `edits`. */
export async function makeRunDir(
  root: string,
  edits: readonly Edit[],
  options: { provider?: 'local' | 'github'; url?: string; verified?: boolean } = {},
): Promise<RunDir> {
  const runDir = join(root, 'run');
  const repoDir = join(runDir, 'repo');
  const incident = Incident.parse(JSON.parse(await readFile(join(FIXTURE, 'incident.json'), 'utf8')));
  const checkout = await prepareCheckout(join(FIXTURE, 'service'), repoDir);
  const branch = `medic/${incident.id}`;
  await git(repoDir, ['checkout', '--quiet', '-b', branch]);
  for (const edit of edits) {
    const file = join(repoDir, edit.file);
    const text = await readFile(file, 'utf8');
    if (!text.includes(edit.from)) throw new Error(`edit of ${edit.file}: text not found`);
    await writeFile(file, text.replace(edit.from, edit.to));
  }
  await git(repoDir, ['commit', '--quiet', '--all', '-m', 'Fix nil-map-write']);
  const commit = await git(repoDir, ['rev-parse', 'HEAD']);
  await git(repoDir, ['checkout', '--quiet', 'main']);
  const store = new DirectoryStore(runDir);
  await store.put(incident.id, 'incident', incident);
  const evidence = await ingest(incident, { incidentDir: FIXTURE, repoDir: join(FIXTURE, 'service') });
  await store.put(incident.id, 'evidence', evidence);
  const at = new Date().toISOString();
  await store.put(incident.id, 'verifications', [
    {
      schemaVersion: SCHEMA_VERSION,
      incidentId: incident.id,
      patchRank: 1,
      verdict: options.verified === false ? 'rejected' : 'verified',
      reason: options.verified === false ? 'tests-after failed' : 'every check passed',
      checks: [],
      isolation: { kind: 'native', reason: 'test' },
      startedAt: at,
      finishedAt: at,
    },
  ]);
  await store.put(incident.id, 'proposal', {
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.id,
    provider: options.provider ?? 'local',
    branch,
    baseBranch: 'main',
    commit,
    url: options.url ?? join(runDir, 'review.md'),
    title: 'Fix nil-map-write',
    body: 'test',
    createdAt: at,
  });
  return { runDir, repoDir, commit, baseCommit: checkout.revision };
}

async function git(cwd: string, args: string[]): Promise<string> {
  // Fixed identity and dates: the same edits make the same commit, so a test file builds each binary once.
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
    GIT_AUTHOR_DATE: '2026-01-02T00:00:00Z',
    GIT_COMMITTER_DATE: '2026-01-02T00:00:00Z',
  };
  const r = await run(['git', ...args], { cwd, env });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}
