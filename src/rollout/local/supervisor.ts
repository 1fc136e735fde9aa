/**
 * One supervised service process (stable or canary): started on a loopback port the agent picks,
 * ready once it accepts connections, its output appended to a log file, restarted with backoff when
 * it dies (as a process manager or a kubelet would), stopped with SIGTERM then SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { canConnect, freePort } from '../../core/net.js';
import type { Build, ProcessState } from './agent-api.js';

export interface SupervisedOptions {
  build: Build;
  args: readonly string[];
  env: Record<string, string>;
  log: string;
  /** Told about each unexpected exit (before the restart), for metrics and the agent's log. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  onUp?: (up: boolean) => void;
}

const READY_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 5_000;

export class Supervised {
  private child: ChildProcess | undefined;
  private port: number | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs = 100;
  private upSince = 0;
  up = false;
  restarts = 0;

  constructor(readonly options: SupervisedOptions) {}

  get addr(): string | undefined {
    return this.port === undefined ? undefined : `127.0.0.1:${this.port}`;
  }

  state(): ProcessState {
    return {
      revision: this.options.build.revision,
      binary: this.options.build.binary,
      ...(this.child?.pid !== undefined && this.child.exitCode === null ? { pid: this.child.pid } : {}),
      ...(this.addr ? { addr: this.addr } : {}),
      up: this.up,
      restarts: this.restarts,
      log: this.options.log,
    };
  }

  /** Starts the process and resolves once it accepts connections; rejects when it exits first or hangs. */
  async start(): Promise<void> {
    this.port ??= await freePort();
    const child = this.spawnChild();
    await waitReady(child, this.port);
    this.markUp(true);
  }

  /** Stops the process for good (no restart): SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.markUp(false);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private spawnChild(): ChildProcess {
    const addr = this.addr ?? '';
    const fd = openSync(this.options.log, 'a');
    writeSync(
      fd,
      `# medic: starting ${this.options.build.revision.slice(0, 12)} on ${addr} at ${new Date().toISOString()}\n`,
    );
    const child = spawn(
      this.options.build.binary,
      this.options.args.map((a) => a.replaceAll('{addr}', addr)),
      { env: this.options.env, stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    this.child = child;
    child.on('error', () => {
      // A binary that cannot start shows as an exit: the 'exit' handler restarts or start() rejects.
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child || this.stopping) return;
      this.markUp(false);
      this.options.onExit?.(code, signal);
      this.scheduleRestart();
    });
    return child;
  }

  private scheduleRestart(): void {
    // A process that stayed up a while earns a fresh backoff (as CrashLoopBackOff resets).
    if (Date.now() - this.upSince > 10_000) this.backoffMs = 100;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.restarts++;
      const child = this.spawnChild();
      waitReady(child, this.port ?? 0).then(
        () => {
          if (this.child === child && !this.stopping) this.markUp(true);
        },
        () => {
          // It died or hung while starting: its 'exit' handler schedules the next try; a hung one is killed.
          if (child.exitCode === null) child.kill('SIGKILL');
        },
      );
    }, delay);
  }

  private markUp(up: boolean): void {
    if (up) this.upSince = Date.now();
    this.up = up;
    this.options.onUp?.(up);
  }
}

/** Resolves when `port` accepts a connection; rejects if the child exits first or after the timeout. */
function waitReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`exited (${signal ?? code}) before accepting connections`));
    child.once('exit', onExit);
    child.once('error', (error) => finish(new Error(`cannot start: ${error.message}`)));
    const attempt = async () => {
      if (done) return;
      if (await canConnect(port)) finish();
      else if (Date.now() > deadline) finish(new Error(`did not accept connections on port ${port} in time`));
      else setTimeout(attempt, 25);
    };
    void attempt();
  });
}
