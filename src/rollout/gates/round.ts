/** One round of gate readings (SLO gates and signature read together) and the failing reading that decides. */
import { isMedicError, type MedicError } from '../../core/errors.js';
import type { GateReading } from '../../core/model.js';
import type { SignatureGate } from './signature.js';
import type { SloGates } from './slo.js';

export interface Round {
  readings: GateReading[];
  /** Canary requests in the SLO window. */
  samples: number;
  /** Whether Prometheus has any series of this rollout (absent when it could not be asked). */
  scraped?: boolean;
  /** Why a gate could not be read this round (the others' readings still count). */
  error?: MedicError;
}

/** Reads every gate at `at`; a Medic error of one gate is returned, anything else thrown. */
export async function readRound(
  slo: SloGates,
  signature: SignatureGate | undefined,
  at: Date,
): Promise<Round> {
  const [sloRead, signatureRead] = await Promise.allSettled([
    slo.read(at),
    signature ? signature.read(at) : Promise.resolve(undefined),
  ]);
  const readings: GateReading[] = [];
  if (signatureRead.status === 'fulfilled' && signatureRead.value) readings.push(signatureRead.value);
  if (sloRead.status === 'fulfilled') readings.push(...sloRead.value.readings);
  const failure = [sloRead, signatureRead].find((s) => s.status === 'rejected')?.reason as unknown;
  if (failure !== undefined && !isMedicError(failure)) throw failure;
  return {
    readings,
    samples: sloRead.status === 'fulfilled' ? sloRead.value.samples : 0,
    ...(sloRead.status === 'fulfilled' && sloRead.value.scraped !== undefined
      ? { scraped: sloRead.value.scraped }
      : {}),
    ...(failure !== undefined ? { error: failure as MedicError } : {}),
  };
}

/**
 * The failing reading that decides: the signature first (it is the incident itself), then errors,
 * then latency. An SLO value measured over fewer than `minRequests` requests decides nothing yet
 * (one slow or failed request out of three is noise, not a regression).
 */
export function firstFailure(readings: readonly GateReading[], minRequests: number): GateReading | undefined {
  const order = ['signature', 'error-rate', 'latency-p99'];
  return readings
    .filter((r) => !r.ok && (r.gate === 'signature' || (r.samples ?? 0) >= minRequests))
    .sort((a, b) => order.indexOf(a.gate) - order.indexOf(b.gate))[0];
}
