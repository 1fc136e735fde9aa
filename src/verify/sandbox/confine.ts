/**
 * Inside fresh namespaces (the launcher runs as their root): make every mount read-only except the
 * job's writable directories, and bring up the namespace's own loopback. Also builds the argv
 * prefix that drops every capability and applies rlimits before an untrusted program starts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Limits } from './job.js';

/** Runs one setup command; setup failures abort the job (a half-confined sandbox is not a sandbox). */
function must(argv: string[]): void {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return;
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) {
    throw new Error(
      `sandbox setup: ${argv.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`,
    );
  }
}

/** Mount points in this mount namespace, in mount order, with whether each is already read-only. */
function mountPoints(): { path: string; readOnly: boolean }[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = line.split(' ');
      // mountinfo escapes spaces and friends as octal (\040).
      const path = (fields[4] ?? '').replace(/\\([0-7]{3})/g, (_m, oct: string) =>
        String.fromCharCode(Number.parseInt(oct, 8)),
      );
      return { path, readOnly: (fields[5] ?? '').split(',').includes('ro') };
    });
}

/**
 * Confines this mount and network namespace. Returns a one-line description for the record.
 * Order matters: the writable binds are made first so the read-only pass can skip exactly them.
 */
export function confineNamespace(writable: readonly string[]): string {
  must(['mount', '--make-rprivate', '/']);
  for (const dir of writable) must(['mount', '--bind', dir, dir]);
  const keep = new Set(writable);
  let remounted = 0;
  for (const mount of mountPoints()) {
    if (keep.has(mount.path) || mount.readOnly) continue;
    must(['mount', '-o', 'remount,bind,ro', mount.path]);
    remounted++;
  }
  must(['ip', 'link', 'set', 'lo', 'up']);
  return `network, mount, pid, ipc and uts namespaces; ${remounted} mounts read-only, writable: ${writable.join(', ') || 'nothing'}; own loopback only`;
}

/**
 * The argv prefix for an untrusted step: in a namespace, drop every capability (so it cannot undo the
 * read-only mounts) and forbid privilege gain; everywhere, rlimits through prlimit.
 */
export function stepPrefix(limits: Limits, confined: boolean, hasPrlimit: boolean): string[] {
  const prefix: string[] = [];
  if (confined) {
    prefix.push('setpriv', '--bounding-set=-all', '--inh-caps=-all', '--no-new-privs', '--');
  }
  if (hasPrlimit) {
    prefix.push(
      'prlimit',
      `--cpu=${limits.cpuSeconds}`,
      `--fsize=${limits.fileBytes}`,
      `--nofile=${limits.openFiles}`,
      ...(limits.memoryBytes === null ? [] : [`--as=${limits.memoryBytes}`]),
      '--',
    );
  }
  return prefix;
}

/** Whether prlimit(1) is on PATH; without it the step runs with the time limit only. */
export function prlimitAvailable(): boolean {
  const r = spawnSync('prlimit', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}
