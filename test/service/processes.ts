/**
 * Real processes for the service tests: a Redis server of the test's own (so restarting it
 * disturbs no one), `medic worker` children whose log lines the tests wait on, free ports and
 * condition waits.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';

export { freePort } from '../../src/core/net.js';

const run = promisify(execFile);
export const MEDIC_BIN = join(import.meta.dirname, '../../bin/medic.js');

/** A redis-server on a loopback port with no persistence: a restart loses every queued job. */
export class TestRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await waitForOutput(this.child, /Ready to accept connections/, 30_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']).catch(() =>
      child.kill('SIGKILL'),
    );
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

export interface MedicChild {
  child: ChildProcess;
  /** Resolves with the first log line matching `pattern` (from now or already seen). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exit: Promise<number | null>;
  lines: string[];
}

/** Starts `medic <args>` (worker, serve) with `env`; its stderr (pino JSON lines) is kept and searchable. */
export function startMedicProcess(args: string[], env: NodeJS.ProcessEnv): MedicChild {
  const child = spawn(process.execPath, [MEDIC_BIN, ...args], { env, stdio: ['ignore', 'inherit', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffer = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
      newline = buffer.indexOf('\n');
    }
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exit,
    waitFor(pattern, timeoutMs = 300_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no log line ${pattern} in ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exit.then((code) =>
          reject(new Error(`worker exited (${code}) before ${pattern}:\n${lines.slice(-20).join('\n')}`)),
        );
      });
    },
  };
}

async function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${timeoutMs} ms: ${seen}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${seen}`)));
  });
}

/** Waits until `check` returns a value (polling the ledger, which has no change feed). */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Deletes every Redis key under a queue prefix (the shared server outlives the test). */
export async function dropQueues(redisUrl: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
