/**
 * Runs external programs (go, git, gofmt) by argv, never through a shell, with a time limit,
 * bounded output capture, and no survivors when this process ends. Untrusted text may appear in
 * arguments; it is never parsed by a shell.
 */
import { spawn } from 'node:child_process';
import { TransportError } from './errors.js';
import { onProcessEnd } from './exit-cleanup.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process (group) after this long. Default: 10 minutes. */
  timeoutMs?: number;
  /** Bytes of stdout and of stderr kept (the tail is kept). Default: 4 MiB each. */
  maxOutputBytes?: number;
  input?: string;
  signal?: AbortSignal;
}

export interface RunResult {
  argv: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** Keeps the last `limit` bytes written to it. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

/** Runs `argv[0]` with `argv[1..]`. Resolves with the exit status; rejects only if it cannot start. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new TypeError('run: empty argv');
  const limit = options.maxOutputBytes ?? 4 * 1024 * 1024;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // A group of its own so a timeout kills the program's children too (go test spawns test binaries).
      detached: true,
      signal: options.signal,
    });
    // The program runs in a group of its own, so it would outlive this process: it goes with it.
    const forget = onProcessEnd(() => killGroup(child.pid));
    const stdout = new TailBuffer(limit);
    const stderr = new TailBuffer(limit);
    child.stdout?.on('data', (c: Buffer) => stdout.push(c));
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    if (options.input !== undefined) child.stdin?.end(options.input);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs ?? 600_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      forget();
      if (error.name === 'AbortError') {
        killGroup(child.pid);
        reject(
          new TransportError('MEDIC_ERR_TRANSPORT_ABORTED', `${command} was cancelled`, { cause: error }),
        );
        return;
      }
      reject(
        new TransportError(
          'MEDIC_ERR_TRANSPORT_CONNECTION',
          `cannot start ${command}: ${error.code ?? error.message}`,
          {
            cause: error,
          },
        ),
      );
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      forget();
      resolve({
        argv: [...argv],
        exitCode,
        signal,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
        durationMs: performance.now() - started,
        timedOut,
      });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone: nothing left to stop.
  }
}
