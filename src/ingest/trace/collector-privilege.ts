/** The privilege check made before loading probes: which Linux capability is missing, by name. */
import { readFileSync } from 'node:fs';

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

export interface PrivilegeCheck {
  ok: boolean;
  /** Names of the capabilities that are missing from the effective set. */
  missing: string[];
  reason?: string;
}

/** Parses `CapEff:` from /proc/<pid>/status text. */
export function effectiveCapabilities(statusText: string): bigint | undefined {
  const match = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  return match?.[1] === undefined ? undefined : BigInt(`0x${match[1]}`);
}

/**
 * Attaching uprobes needed CAP_SYS_ADMIN on the kernels tried (CAP_BPF + CAP_PERFMON loaded the
 * programs but the attach was refused), so CAP_SYS_ADMIN is what is required.
 */
export function checkPrivilege(statusText: string): PrivilegeCheck {
  const caps = effectiveCapabilities(statusText);
  if (caps === undefined) {
    return { ok: false, missing: ['CAP_SYS_ADMIN'], reason: 'cannot read the effective capabilities' };
  }
  const has = (bit: bigint) => (caps & (1n << bit)) !== 0n;
  if (has(CAP_SYS_ADMIN)) return { ok: true, missing: [] };
  const missing = ['CAP_SYS_ADMIN'];
  const partial =
    has(CAP_BPF) && has(CAP_PERFMON) ? ' (CAP_BPF and CAP_PERFMON are present but not enough)' : '';
  return {
    ok: false,
    missing,
    reason: `missing capability CAP_SYS_ADMIN, needed to attach uprobes${partial}`,
  };
}

export function checkOwnPrivilege(): PrivilegeCheck {
  return checkPrivilege(readFileSync('/proc/self/status', 'utf8'));
}
