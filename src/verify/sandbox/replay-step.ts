/**
 * A replay step inside the sandbox: start the service on a free loopback port, wait until it accepts
 * connections, send the recorded requests one by one on fresh connections, then stop it and keep its
 * output (a panicking handler prints its stack on stderr).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import type { ReplayRequest } from '../../core/model.js';
import { canConnect, freePort } from '../../core/net.js';
import type { ParsedReplayStep, ReplayResponse, ReplayResult } from './job.js';

/** Headers the client sets itself or that describe one hop only. */
const NOT_REPLAYED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive']);

/** Polls until the port accepts, the server exits, or the start time limit passes. */
async function waitForPort(port: number, child: ChildProcess, limitMs: number): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await canConnect(port)) return true;
    // A server's start-up cannot be awaited any other way than asking; 20 ms keeps the poll cheap.
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

function send(port: number, req: ReplayRequest, timeoutMs: number): Promise<ReplayResponse> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!NOT_REPLAYED.has(name.toLowerCase())) headers[name] = value;
    }
    const body = Buffer.from(req.body, 'utf8');
    if (body.length > 0 || !['GET', 'HEAD'].includes(req.method.toUpperCase())) {
      headers['content-length'] = String(body.length);
    }
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        headers,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (error) => resolve({ error: `response aborted: ${error.message}` }));
        res.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: flat,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    outgoing.end(body);
  });
}

/**
 * Sends `concurrency` copies at once, `rounds` times (failures that need concurrency). One answer
 * stands for the burst: the first failure when any copy failed, else the last answer.
 */
async function burst(port: number, req: ReplayRequest, timeoutMs: number): Promise<ReplayResponse> {
  const { concurrency, rounds } = req.burst ?? { concurrency: 1, rounds: 1 };
  let last: ReplayResponse = { error: 'no copy was sent' };
  let failed = 0;
  let firstFailure: ReplayResponse | undefined;
  for (let round = 0; round < rounds; round++) {
    const answers = await Promise.all(Array.from({ length: concurrency }, () => send(port, req, timeoutMs)));
    for (const answer of answers) {
      if ('error' in answer || answer.status >= 500) {
        failed++;
        firstFailure ??= answer;
      }
      last = answer;
    }
    // A server that crashed refuses the rest; sending more rounds would only take time.
    if (answers.every((a) => 'error' in a)) break;
  }
  if (firstFailure === undefined) return last;
  const total = concurrency * rounds;
  return 'error' in firstFailure
    ? { error: `${failed} of ${total} copies failed; first: ${firstFailure.error}` }
    : firstFailure;
}

/** How Go output starts a failure: enough to stop lingering (the host classifies it properly). */
const FAILURE = /^(?:panic: |fatal error: |WARNING: DATA RACE)|http: panic serving /m;

/** Waits until `done()` or `ms` passes, looking every 50 ms (the server's output arrives on its own time). */
async function linger(ms: number, done: () => boolean): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const METRIC = {
  goroutines: /^goroutine profile: total (\d+)/m,
  'heap-bytes': /^# HeapAlloc = (\d+)/m,
} as const;

/** One reading of a pprof text endpoint; a string says why there is none. */
async function measure(
  port: number,
  path: string,
  metric: keyof typeof METRIC,
  timeoutMs: number,
): Promise<number | string> {
  const answer = await send(port, { method: 'GET', path, headers: {}, body: '' }, timeoutMs);
  if ('error' in answer) return `${path}: ${answer.error}`;
  const value = METRIC[metric].exec(answer.body)?.[1];
  return value === undefined ? `${path} answered ${answer.status} without a ${metric} figure` : Number(value);
}

/**
 * Reads the metric again until it is back where it started (nothing leaked) or the settle time
 * passes (what is left then has leaked), keeping the lowest reading: work still in flight when the
 * last answer came back must not count as a leak.
 */
async function settle(
  port: number,
  probe: NonNullable<ParsedReplayStep['probe']>,
  before: number | string,
  timeoutMs: number,
): Promise<{ before: number; after: number } | { error: string }> {
  if (typeof before === 'string') return { error: before };
  const deadline = performance.now() + probe.settleMs;
  let lowest = Number.POSITIVE_INFINITY;
  while (true) {
    const now = await measure(port, probe.path, probe.metric, timeoutMs);
    if (typeof now === 'string') return { error: now };
    lowest = Math.min(lowest, now);
    if (lowest <= before || performance.now() >= deadline) return { before, after: lowest };
    // Goroutines finish and memory is freed on their own schedule: polling is the only way to see it.
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for `promise` at most `ms`, leaving no timer behind. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

class Tail {
  private text = '';
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text.slice(-this.limit);
  }
}

/** Runs one replay step; `prefix` is the confinement argv (setpriv, prlimit) put before the server. */
export async function runReplayStep(
  step: ParsedReplayStep,
  prefix: readonly string[],
): Promise<ReplayResult> {
  const started = performance.now();
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const argv = [...prefix, ...step.argv.map((a) => a.replaceAll('{addr}', addr))];
  const [command, ...args] = argv;
  const stdout = new Tail(64 * 1024);
  const stderr = new Tail(64 * 1024);
  const child = spawn(command ?? 'false', args, {
    cwd: step.cwd,
    env: {
      ...Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, v.replaceAll('{addr}', addr)])),
      MEDIC_REPLAY_ADDR: addr,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let exit: { exitCode: number | null; signal: string | null } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (exitCode, signal) => {
      exit ??= { exitCode, signal };
      resolve();
    }),
  );
  child.once('error', () => {});
  child.stdout?.on('data', (c: Buffer) => stdout.push(c));
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  const responses: ReplayResponse[] = [];
  const started_ = await waitForPort(port, child, step.startTimeoutMs);
  let before: number | string | undefined;
  if (started_ && step.probe)
    before = await measure(port, step.probe.path, step.probe.metric, step.requestTimeoutMs);
  if (started_) {
    for (const req of step.requests) {
      responses.push(
        req.burst
          ? await burst(port, req, step.requestTimeoutMs)
          : await send(port, req, step.requestTimeoutMs),
      );
    }
  }
  const probe =
    step.probe && before !== undefined
      ? await settle(port, step.probe, before, step.requestTimeoutMs)
      : undefined;
  if (started_ && step.lingerMs > 0) {
    await linger(step.lingerMs, () => exit !== undefined || FAILURE.test(stderr.toString()));
  }
  // A server that crashed on a request has closed its listener too; give its exit a moment to land.
  if (started_ && !(await canConnect(port))) {
    await within(exited, 2_000);
  }
  const exitedEarly = exit;
  if (child.pid !== undefined && exit === undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone between the check and the kill.
    }
  }
  // 'close' fires once every pipe is drained, so the panic the server printed is all here.
  await closed;
  return {
    kind: 'replay',
    started: started_,
    responses,
    ...(probe ? { probe } : {}),
    stdout: stdout.toString(),
    stderr: stderr.toString(),
    ...(exitedEarly ? { exitedEarly } : {}),
    durationMs: performance.now() - started,
  };
}
