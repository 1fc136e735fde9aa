/** Shared by the eBPF tests: building the Go tracee, driving it over stdin, and deciding when to skip. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';
import { TraceEvent, TraceHeader } from '../../src/core/model/trace.js';
import { ebpfAvailability } from '../../src/ingest/trace/collector.js';
import { loadAddon } from '../../src/ingest/trace/collector-native.js';

export const TRACEE_SRC = fileURLToPath(new URL('./tracee', import.meta.url));
export const GO = process.env.MEDIC_GO ?? 'go';

/** Builds test/ebpf/tracee with extra `go build` flags into `out`. */
export async function buildTracee(out: string, flags: string[] = []): Promise<string> {
  const res = await run([GO, 'build', ...flags, '-o', out, '.'], { cwd: TRACEE_SRC, timeoutMs: 300_000 });
  if (res.exitCode !== 0) throw new Error(`go build ${flags.join(' ')} failed: ${res.stderr}`);
  return out;
}

/**
 * Why the eBPF tests cannot run here, or undefined. A machine with clang and libbpf but no addon
 * is a broken install (npm ci builds it), not a reason to skip: that throws.
 */
export function ebpfSkipReason(): string | undefined {
  const status = ebpfAvailability();
  if (status.ok) return kernelRefusal();
  const toolchain = existsSync('/usr/bin/clang') && existsSync('/usr/include/bpf/libbpf.h');
  if (toolchain && status.reason.includes('not built')) {
    throw new Error(`clang and libbpf are installed but ${status.reason}`);
  }
  console.warn(`eBPF tests skipped: ${status.reason}`);
  return status.reason;
}

/** Loads the BPF programs once: a kernel that refuses them (verifier, lockdown) skips the tests, saying why. */
function kernelRefusal(): string | undefined {
  const load = loadAddon();
  if (!load.ok) return load.reason;
  try {
    const session = new load.addon.BpfSession(load.objectPath);
    try {
      session.load();
    } finally {
      session.close();
    }
    return undefined;
  } catch (error) {
    const reason = `the kernel refused the BPF programs: ${(error as Error).message}`;
    console.warn(`eBPF tests skipped: ${reason}`);
    return reason;
  }
}

/** The tracee running: commands go to stdin, each answers one JSON line on stdout. */
export class Tracee {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  stderr = '';
  private readonly lines: AsyncIterator<string>;

  constructor(binary: string) {
    this.child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async next(): Promise<Record<string, unknown>> {
    const line = await this.lines.next();
    if (line.done === true) throw new Error(`tracee ended; stderr: ${this.stderr}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  }

  /** Sends a command and waits for its answer (so every probe hit it causes has happened). */
  async send(command: string): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${command}\n`);
    return this.next();
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Reads a recorded trace: the header line, then the events, each checked against its schema. */
export function readTrace(file: string): { header: TraceHeader; events: TraceEvent[] } {
  const [first, ...rest] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
  return { header: TraceHeader.parse(first), events: rest.map((e) => TraceEvent.parse(e)) };
}
