/**
 * `npm run bench:intake`: webhook throughput and latency of `medic serve` under an alert storm,
 * with dedup on: autocannon posts Alertmanager notifications of 20 alert groups (so all but the
 * first delivery of each group are duplicates) for --seconds (default 10) over --connections
 * (default 32). The server runs as its own process with the real ledger (PostgreSQL, a scratch
 * database) and queue (Redis); a bare Fastify peer is measured in the same run for the ratio.
 * Target: >= 5,000 requests/s and p99 <= 20 ms.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort } from '../../src/core/net.js';
import { alertmanagerPayload } from '../../test/service/payloads.js';
import { dropQueues } from '../../test/service/processes.js';

const root = join(import.meta.dirname, '..', '..');
const TARGET_RPS = 5_000;
const TARGET_P99_MS = 20;
const TOKEN = 'bench-token-0123456789';
const ADMIN_URL = process.env.MEDIC_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.MEDIC_REDIS_URL ?? 'redis://127.0.0.1:6379';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
}

function payload(group: number): string {
  const instance = `10.0.0.${group}:8080`;
  return JSON.stringify(
    alertmanagerPayload({
      groupKey: `{}:{alertname="GoPanics", instance="${instance}"}`,
      labels: { instance },
      fingerprint: `f${group}`,
    }),
  );
}

/** Starts `argv` and resolves once it printed `ready` on stderr. */
async function startProcess(argv: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const [command = '', ...args] = argv;
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: root });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      seen = (seen + c.toString('utf8')).slice(-8000);
      if (ready.test(seen)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}:\n${seen}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(url: string, seconds: number, connections: number, auth: boolean): Promise<Measured> {
  const requests = Array.from({ length: 20 }, (_, group) => ({
    method: 'POST' as const,
    path: '/v1/alerts/alertmanager',
    body: payload(group),
  }));
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${TOKEN}` } : {}) },
    requests,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

async function main(): Promise<void> {
  const seconds = option('--seconds', 10);
  const connections = option('--connections', 32);
  const work = await mkdtemp(join(tmpdir(), 'medic-bench-intake-'));
  const database = `medic_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${database}`);
  const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
  const children: ChildProcess[] = [];
  const prefix = `medic-bench-${process.pid}`;
  try {
    const config = {
      service: {
        sources: { alertmanager: { rateLimit: { max: 10_000_000, windowMs: 60_000 } } },
        services: [{ name: 'warehouse', repo: { path: root } }],
        queue: { prefix },
      },
    };
    await writeFile(join(work, 'medic.config.json'), JSON.stringify(config));
    const medicPort = await freePort();
    const peerPort = await freePort();
    const env = {
      ...process.env,
      MEDIC_CONFIG: join(work, 'medic.config.json'),
      MEDIC_API_TOKEN: TOKEN,
      MEDIC_WORK_DIR: join(work, 'medic'),
      DATABASE_URL: databaseUrl,
      MEDIC_REDIS_URL: REDIS_URL,
      MEDIC_LOG_LEVEL: 'warn',
    };
    children.push(
      await startProcess(
        [
          process.execPath,
          join(root, 'bin', 'medic.js'),
          'serve',
          '--no-worker',
          '--port',
          String(medicPort),
        ],
        env,
        /listening on/,
      ),
    );
    children.push(
      await startProcess(
        [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'peer.ts'), String(peerPort)],
        process.env,
        /peer listening/,
      ),
    );
    process.stderr.write(`warming up, then ${seconds} s each over ${connections} connections\n`);
    await load(`http://127.0.0.1:${medicPort}`, 2, connections, true);
    await load(`http://127.0.0.1:${peerPort}`, 2, connections, false);
    const medic = await load(`http://127.0.0.1:${medicPort}`, seconds, connections, true);
    const peer = await load(`http://127.0.0.1:${peerPort}`, seconds, connections, false);
    const row = (name: string, m: Measured) =>
      `${name.padEnd(28)} ${m.rps.toFixed(0).padStart(8)} req/s   p50 ${String(m.p50).padStart(4)} ms   p99 ${String(m.p99).padStart(4)} ms   ${m.total} requests, ${m.non2xx} non-2xx, ${m.errors} errors`;
    const lines = [
      'intake benchmark: Alertmanager webhook, 20 alert groups, dedup on (PostgreSQL ledger, Redis queue)',
      row('medic serve (auth+zod+dedup)', medic),
      row('bare fastify peer', peer),
      `ratio medic/peer: ${(medic.rps / peer.rps).toFixed(2)}x throughput, ${(medic.p99 / Math.max(1, peer.p99)).toFixed(2)}x p99`,
      `target: >= ${TARGET_RPS} req/s -> ${medic.rps >= TARGET_RPS ? 'met' : 'MISSED'} (${(medic.rps / TARGET_RPS).toFixed(2)}x); p99 <= ${TARGET_P99_MS} ms -> ${medic.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'} (${medic.p99} ms)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (medic.non2xx > 0 || medic.errors > 0) process.exitCode = 1;
  } finally {
    for (const child of children) await stop(child);
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await dropQueues(REDIS_URL, prefix);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
