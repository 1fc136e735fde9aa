/** Cleaning up after a local deployment whose agent is gone: its recorded processes, checked by command line before they are killed. */
import { existsSync, readFileSync } from 'node:fs';
import { AgentState } from './agent-api.js';

/**
 * Kills the agent and the service processes `stateFile` names that still run. A pid is only
 * killed when its command line is still the one recorded (pids are reused).
 */
export async function killLeftovers(stateFile: string): Promise<void> {
  if (!existsSync(stateFile)) return;
  const parsed = AgentState.safeParse(safeJson(readFileSync(stateFile, 'utf8')));
  if (!parsed.success) return;
  const state = parsed.data;
  const targets: [number | undefined, string][] = [
    [state.pid, 'agent-main'],
    [state.stable.pid, state.stable.binary],
    [state.canary?.pid, state.canary?.binary ?? '\0'],
  ];
  for (const [pid, marker] of targets) {
    if (pid !== undefined && commandLine(pid).includes(marker)) kill(pid);
  }
}

/** Resolves once `pid` has exited (a zombie counts), killing it after `ms`. */
export async function waitForExit(pid: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (running(pid)) {
    if (Date.now() > deadline) {
      kill(pid);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether `pid` runs: it exists and is not a zombie waiting to be reaped. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

/** The last `lines` lines of a text file, or a note that it cannot be read. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(${file} cannot be read)`;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
