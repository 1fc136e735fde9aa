// Sandbox escapes, with a real Go program: network connections and writes outside the workspace are stopped.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { verifyCandidates } from '../../src/verify/index.js';
import { type Job, probeConfinement, probeNamespaces, runJob } from '../../src/verify/sandbox/runner.js';
import { makePatch, REGRESSION_TEST, recordShopIncident } from './helpers.js';

const ESCAPE = fileURLToPath(new URL('./escape', import.meta.url));
const limits = { cpuSeconds: 20, memoryBytes: 2 * 1024 ** 3, fileBytes: 1 << 20, openFiles: 256 };

let root: string;
let ws: string;
let outside: string;
let native: string;
let wasm: string;
let listener: Server;
let hostAddr: string;
let connections = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medic-sandbox-'));
  ws = join(root, 'ws');
  outside = join(root, 'outside');
  await mkdir(ws);
  await mkdir(outside);
  native = join(ws, 'escape');
  wasm = join(ws, 'escape.wasm');
  for (const [out, env] of [
    [native, {}],
    [wasm, { GOOS: 'wasip1', GOARCH: 'wasm' }],
  ] as const) {
    const r = await run(['go', 'build', '-o', out, '.'], { cwd: ESCAPE, env: { ...process.env, ...env } });
    if (r.exitCode !== 0) throw new Error(r.stderr);
  }
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  hostAddr = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 180_000);

afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  await rm(root, { recursive: true, force: true });
});

function exec(argv: string[], extra: { wasm?: boolean; timeoutMs?: number } = {}) {
  return {
    kind: 'exec' as const,
    argv,
    cwd: ws,
    env: { PATH: '/usr/bin:/bin' },
    timeoutMs: extra.timeoutMs ?? 20_000,
    limits: extra.wasm ? { ...limits, memoryBytes: null } : limits,
    ...(extra.wasm ? { wasm: { preopen: ws } } : {}),
  };
}

async function runSteps(job: Job) {
  const result = await runJob(job, { scratchDir: root, name: `job-${Math.random().toString(36).slice(2)}` });
  return result.results.map((r) => (r.kind === 'exec' ? r.stdout.trim() : ''));
}

describe('sandbox escapes', () => {
  it('falls back to native confinement with the reason when unshare cannot run', async () => {
    const fallback = await probeNamespaces(join(root, 'no-unshare'));
    expect(fallback.kind).toBe('native');
    expect(fallback.reason).toMatch(/^namespaces unavailable: .*no-unshare/);
  });

  it('fails with a typed error when the launcher cannot confine the namespace', async (ctx) => {
    const confinement = await probeConfinement();
    if (confinement.kind !== 'netns') ctx.skip(`namespaces unavailable here: ${confinement.reason}`);
    const job: Job = {
      confinement: 'netns',
      writable: [join(root, 'no-such-dir')],
      steps: [exec([native, 'write', 'x'])],
    };
    await expect(runJob(job, { scratchDir: root, name: 'broken' })).rejects.toMatchObject({
      code: 'MEDIC_ERR_VERIFY_SANDBOX',
      retryable: true,
    });
  });

  it('a native program in fresh namespaces cannot reach the host network or write outside its workspace', async (ctx) => {
    const confinement = await probeConfinement();
    if (confinement.kind !== 'netns') ctx.skip(`namespaces unavailable here: ${confinement.reason}`);
    const before = connections;
    const out = await runSteps({
      confinement: 'netns',
      writable: [ws],
      steps: [
        exec([native, 'dial', hostAddr]),
        exec([native, 'dial', '1.1.1.1:53']),
        exec([native, 'write', join(outside, 'escaped.txt')]),
        exec([native, 'write', '/etc/medic-escaped']),
        exec([native, 'write', join(ws, 'inside.txt')]),
      ],
    });
    expect(out[0]).toMatch(/^dial: blocked: .*connection refused/);
    expect(out[1]).toMatch(/^dial: blocked: .*network is unreachable/);
    expect(out[2]).toMatch(/^write: blocked: .*read-only file system/);
    expect(out[3]).toMatch(/^write: blocked: .*read-only file system/);
    expect(out[4]).toBe('write: written');
    expect(connections).toBe(before);
    expect(existsSync(join(outside, 'escaped.txt'))).toBe(false);
    expect(existsSync('/etc/medic-escaped')).toBe(false);
  });

  it('a wasip1 program under node:wasi sees only its preopened directory and no network', async () => {
    const before = connections;
    const out = await runSteps({
      confinement: 'native',
      writable: [ws],
      steps: [
        exec([wasm, 'dial', hostAddr], { wasm: true }),
        exec([wasm, 'write', join(outside, 'escaped-wasi.txt')], { wasm: true }),
        exec([wasm, 'write', join(ws, 'inside-wasi.txt')], { wasm: true }),
      ],
    });
    expect(out[0]).toMatch(/^dial: blocked/);
    expect(out[1]).toMatch(/^write: blocked/);
    expect(out[2]).toBe('write: written');
    expect(connections).toBe(before);
    expect(existsSync(join(outside, 'escaped-wasi.txt'))).toBe(false);
    expect(existsSync(join(ws, 'inside-wasi.txt'))).toBe(true);
  });

  it('stops a program that never ends, natively and under WASI', async () => {
    const result = await runJob(
      {
        confinement: 'native',
        writable: [ws],
        steps: [
          exec([native, 'spin'], { timeoutMs: 1_500 }),
          exec([wasm, 'spin'], { wasm: true, timeoutMs: 1_500 }),
        ],
      },
      { scratchDir: root, name: 'spin' },
    );
    for (const r of result.results) {
      expect(r.kind === 'exec' && r.timedOut).toBe(true);
    }
  });
});

/** A test a patch adds: it tries to phone home, to write outside its copy, and to rewrite the original copy. */
function escapeTest(addr: string, outsideFile: string): string {
  return `package cart

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestZEscape(t *testing.T) {
	if conn, err := net.DialTimeout("tcp", ${JSON.stringify(addr)}, 3*time.Second); err == nil {
		conn.Close()
		t.Error("connected to the host")
	}
	if err := os.WriteFile(${JSON.stringify(outsideFile)}, []byte("escaped"), 0o644); err == nil {
		t.Error("wrote outside the workspace")
	}
	// cwd is <run>/candidate-N/src/cart; the shared original copy is <run>/original.
	if err := os.WriteFile(filepath.Join("..", "..", "..", "original", "cart", "cart.go"), []byte("package cart"), 0o644); err == nil {
		t.Error("rewrote the original copy")
	}
}
`;
}

describe('a patched program inside a verification', () => {
  it('cannot open a connection or write outside its workspace, and the record names the isolation', async (ctx) => {
    const confinement = await probeConfinement();
    if (confinement.kind !== 'netns') ctx.skip(`namespaces unavailable here: ${confinement.reason}`);
    const incident = await recordShopIncident(join(root, 'shop'));
    const outsideFile = join(outside, 'from-test.txt');
    const patch = await makePatch(
      incident.repoDir,
      join(root, 'shop', 'patches'),
      1,
      [{ file: 'cart/cart.go', from: 'return &Cart{}', to: 'return &Cart{items: map[string]int{}}' }],
      { test: REGRESSION_TEST, newFiles: { 'cart/escape_test.go': escapeTest(hostAddr, outsideFile) } },
    );
    const before = connections;
    // Without recorded requests: the service replay is covered elsewhere and would only add time here.
    const quiet = { ...incident.incident, artifacts: [] };
    const outcome = await verifyCandidates(
      [patch],
      { ...incident, incident: quiet, workDir: join(root, 'shop', 'work') },
      { isolation: 'netns' },
    );
    const v = outcome.verifications[0];
    // The escape test ran (cart: 3 tests + TestZEscape; api: 2; catalog: 1) and passed, so all three attempts failed.
    const after = v?.checks.find((c) => c.name === 'tests-after');
    expect(after?.outcome).toBe('pass');
    expect(after?.data).toMatchObject({ passed: 7 });
    expect(v?.verdict).toBe('verified');
    expect(v?.isolation.kind).toBe('netns');
    expect(connections).toBe(before);
    expect(existsSync(outsideFile)).toBe(false);
  }, 180_000);
});
