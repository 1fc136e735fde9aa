/**
 * The isolation a Verification reports: the weakest kind any of its untrusted runs used, and a
 * reason naming what ran where and why (WASI where a package builds for wasip1, namespaces for the
 * service and race builds, the native fallback and its cause).
 */
import type { Verification } from '../core/model.js';
import type { PackageRun } from './baseline.js';
import type { Sandbox } from './sandbox/index.js';
import type { Isolation } from './testrun.js';

const STRENGTH: Record<Isolation, number> = { native: 0, netns: 1, wasi: 2 };

/** Something else that ran patched code: `kind` absent means the run's native confinement. */
export interface OtherRun {
  kind?: Isolation;
  what: string;
}

export async function verdictIsolation(
  sandbox: Sandbox,
  runs: readonly PackageRun[],
  others: readonly OtherRun[],
): Promise<Verification['isolation']> {
  const confinement = await sandbox.confinement();
  const parts: { kind: Isolation; what: string }[] = runs.map((r) => ({
    kind: r.isolation,
    what: `${r.pkg.rel} tests (${r.reason})`,
  }));
  for (const other of others) parts.push({ kind: other.kind ?? confinement.kind, what: other.what });
  if (parts.length === 0) {
    return {
      kind: confinement.kind,
      reason: `no patched code ran; the sandbox would have used: ${confinement.reason}`,
    };
  }
  const weakest = parts.reduce((w, p) => (STRENGTH[p.kind] < STRENGTH[w.kind] ? p : w));
  const byKind = new Map<Isolation, string[]>();
  for (const p of parts) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p.what]);
  const detail = [...byKind.entries()].map(([kind, whats]) => `${kind}: ${whats.join('; ')}`).join(' | ');
  const native = byKind.has('native') ? ` | native because ${confinement.reason}` : '';
  return { kind: weakest.kind, reason: `${detail}${native}` };
}
