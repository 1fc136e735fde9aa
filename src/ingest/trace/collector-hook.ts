/**
 * The fixture recorder's `trace` hook (scripts/fixtures/hooks.ts): records artifacts/trace.ndjson
 * with the collector while the recorder drives a fixture. Where eBPF is unavailable it keeps the
 * fixture's earlier trace (if any) so re-recording elsewhere does not lose it.
 */

import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { ArtifactRef } from '../../core/model.js';
import { ebpfAvailability } from './collector.js';
import { parseProbeSpecs, recordTrace, type TraceRecording } from './collector-record.js';

/** `scenario.json` → `hooks.trace`: probe specs as `medic trace --probe` takes them. */
export const TraceHookOptions = z
  .object({ probes: z.array(z.string()).default([]) })
  .strict()
  .default({ probes: [] });

/** The parts of the recorder's HookContext this hook reads (structurally the recorder's type). */
export interface TraceHookContext {
  fixtureDir: string;
  binary: string;
  pid: number;
  stagingDir: string;
  options: unknown;
  log: (message: string) => void;
}

const ARTIFACT = 'trace.ndjson';

/** @param availability whether eBPF works here (default: the real check); tests pass their own. */
export function createTraceHook(availability: typeof ebpfAvailability = ebpfAvailability): {
  name: string;
  start(ctx: TraceHookContext): Promise<void>;
  finish(ctx: TraceHookContext & { failed: boolean }): Promise<ArtifactRef[]>;
} {
  let recording: TraceRecording | undefined;
  return {
    name: 'trace',
    async start(ctx) {
      const parsed = TraceHookOptions.safeParse(ctx.options ?? undefined);
      if (!parsed.success) {
        throw new InputError(
          'MEDIC_ERR_INPUT_INVALID_RECORD',
          `scenario.json hooks.trace: ${parsed.error.message}`,
        );
      }
      const probes = parseProbeSpecs(parsed.data.probes);
      const status = availability();
      if (!status.ok) {
        ctx.log(`trace: eBPF unavailable: ${status.reason}; the fixture keeps the trace it had`);
        return;
      }
      recording = await recordTrace({
        binary: ctx.binary,
        pid: ctx.pid,
        runtimeProbes: probes.runtimeProbes,
        userFunctions: probes.userFunctions,
        out: join(ctx.stagingDir, ARTIFACT),
      });
      ctx.log(`trace: attached to pid ${ctx.pid}`);
    },
    async finish(ctx) {
      const ref: ArtifactRef = { kind: 'trace', path: `artifacts/${ARTIFACT}`, generated: false };
      if (recording === undefined) {
        const earlier = join(ctx.fixtureDir, 'artifacts', ARTIFACT);
        if (!existsSync(earlier)) return [];
        await copyFile(earlier, join(ctx.stagingDir, ARTIFACT));
        return [ref];
      }
      const summary = await recording.stop();
      recording = undefined;
      const counts = Object.entries(summary.counts).map(([probe, n]) => `${probe} ${n}`);
      ctx.log(`trace: ${summary.events} events (${counts.join(', ')}; dropped ${summary.drops})`);
      return ctx.failed ? [] : [ref];
    },
  };
}
