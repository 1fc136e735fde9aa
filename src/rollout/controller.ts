/**
 * The rollout controller: runs the plan step by step (weight, bake, gates), decides after each
 * reading, and stores the Rollout record after every reading and every decision, so a controller
 * that dies is replaced by one that resumes from the record and still ends in a safe state
 * (promoted through every gate, or all traffic back on stable with the canary stopped).
 */
import { isMedicError } from '../core/errors.js';
import type { GateReading, Rollout, RolloutDecision, RolloutStep } from '../core/model.js';
import { type Progress, silent } from '../core/progress.js';
import type { RecordStore } from '../core/record-store.js';
import { describeFailure, describeRound } from './describe.js';
import type { RolloutDriver } from './driver.js';
import { firstFailure, readRound } from './gates/round.js';
import type { SignatureGate } from './gates/signature.js';
import type { SloGates } from './gates/slo.js';
import { Waker } from './waker.js';

export interface ControllerOptions {
  store: RecordStore;
  driver: RolloutDriver;
  slo: SloGates;
  /** Absent when the incident has no failure signature (a leak, say). */
  signature?: SignatureGate;
  /** Seconds a step may wait past its bake for traffic or readable gates, unless the record says. */
  maxHoldSeconds: number;
  onProgress?: Progress;
  /** Aborting rolls back (outcome `aborted`, decided by `operator`). */
  signal?: AbortSignal;
  /** Who aborts when `signal` fires. Default `operator`. */
  abortedBy?: string;
  /**
   * Stops the controller without a decision (a worker shutting down): the record stays in
   * progress, the deployment keeps its weight, and a controller started later resumes it.
   */
  stop?: AbortSignal;
}

/** Thrown inside the controller when `stop` fires; `run` returns the record as it is. */
class Stopped extends Error {}

type Verdict = { pass: true } | { pass: false; reason: string; by: string };

/** Gap between two signature checks woken by the canary's output (chatty logs must not spin). */
const WAKE_GAP_MS = 200;

export async function runController(record: Rollout, options: ControllerOptions): Promise<Rollout> {
  const controller = new Controller(structuredClone(record), options);
  try {
    return await controller.run();
  } catch (error) {
    if (error instanceof Stopped) return controller.record;
    throw error;
  }
}

class Controller {
  private readonly progress: Progress;
  private readonly waker = new Waker();
  /** Cuts waits short on abort (roll back) and on stop (leave as is). */
  private readonly wakeSignal: AbortSignal | undefined;

  constructor(
    private readonly r: Rollout,
    private readonly o: ControllerOptions,
  ) {
    this.progress = o.onProgress ?? silent;
    const signals = [o.signal, o.stop].filter((x): x is AbortSignal => x !== undefined);
    this.wakeSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  }

  get record(): Rollout {
    return this.r;
  }

  async run(): Promise<Rollout> {
    if (this.r.outcome !== 'in-progress' || this.o.stop?.aborted) return this.r;
    await this.o.driver.prepare(this.progress);
    await this.save();
    const last = this.r.decisions.at(-1);
    // A controller that died between deciding and acting: act now.
    if (last?.decision === 'rollback') return this.finishRollback();
    if (last?.decision === 'promote') return this.finishPromote();
    const unwatch = this.o.driver.watchCanary(() => this.waker.poke());
    try {
      return await this.runSteps();
    } finally {
      unwatch();
    }
  }

  private async runSteps(): Promise<Rollout> {
    const { plan } = this.r;
    const open = this.r.steps.at(-1);
    let index = open === undefined ? 0 : open.endedAt === undefined ? open.index : open.index + 1;
    for (; index < plan.length; index++) {
      const planned = plan[index];
      if (planned === undefined) break;
      let step = this.r.steps[index];
      if (step === undefined) {
        step = { index, weight: planned.weight, startedAt: now(), readings: [] };
        this.r.steps.push(step);
        await this.save();
      } else {
        await this.decide(
          index,
          'hold',
          `controller restarted: step ${index + 1} (${step.weight} %) bakes again from the start`,
        );
      }
      this.stopIfAsked();
      this.progress(
        `step ${index + 1}/${plan.length}: ${planned.weight} % to the canary, bake ${planned.bakeSeconds} s`,
      );
      try {
        await this.o.driver.setWeight(planned.weight);
      } catch (error) {
        if (!isMedicError(error)) throw error;
        return this.rollback(
          index,
          `the canary could not take ${planned.weight} %: ${error.code}: ${error.message}`,
          'medic',
        );
      }
      const verdict = await this.bake(step, planned.bakeSeconds);
      if (!verdict.pass) return this.rollback(index, verdict.reason, verdict.by);
      step.endedAt = now();
      if (index === plan.length - 1) {
        await this.decide(
          index,
          'promote',
          `every gate held through ${plan.length} steps; the fix replaces stable`,
        );
        return this.finishPromote();
      }
      await this.decide(
        index,
        'continue',
        `every gate held for ${planned.bakeSeconds} s at ${planned.weight} %`,
      );
    }
    throw new Error('rollout controller: the plan ended without a decision');
  }

  /** Reads the gates until the bake is over (pass) or one fails (roll back). */
  private async bake(step: RolloutStep, bakeSeconds: number): Promise<Verdict> {
    const { gates } = this.r;
    const intervalMs = (gates.intervalSeconds ?? 30) * 1000;
    // The record's own policy wins: a resumed rollout keeps the one it started with.
    const holdMs = (gates.maxHoldSeconds ?? this.o.maxHoldSeconds) * 1000;
    const minRequests = gates.minRequests ?? 0;
    const began = Date.now();
    let blindNoted = false;
    let waitingNoted = false;
    let blindSince: number | undefined;
    for (;;) {
      if (this.o.signal?.aborted) return this.aborted();
      this.stopIfAsked();
      const round = await readRound(this.o.slo, this.o.signature, new Date());
      if (round.readings.length > 0) {
        step.readings.push(...round.readings);
        await this.save();
      }
      this.progress(describeRound(this.r, step, round.readings, round.samples, round.error));
      const failed = firstFailure(round.readings, minRequests);
      if (failed) return { pass: false, reason: describeFailure(failed, this.r), by: 'medic' };
      const elapsed = Date.now() - began;
      if (round.error) {
        blindSince ??= Date.now();
        if (Date.now() - blindSince >= holdMs) {
          return {
            pass: false,
            reason: `the gates could not be read for ${Math.round((Date.now() - blindSince) / 1000)} s: ${round.error.code}: ${round.error.message}`,
            by: 'medic',
          };
        }
        if (!blindNoted) {
          await this.decide(
            step.index,
            'hold',
            `the gates cannot be read (${round.error.code}: ${round.error.message}); holding the weight`,
          );
          blindNoted = true;
        }
      } else {
        blindSince = undefined;
        blindNoted = false;
        if (elapsed >= bakeSeconds * 1000) {
          if (round.samples >= minRequests) return { pass: true };
          const why =
            round.scraped === false
              ? ' (Prometheus has no series of this rollout: is it scraping the deployment’s /metrics?)'
              : '';
          if (elapsed >= bakeSeconds * 1000 + holdMs) {
            return {
              pass: false,
              reason: `only ${Math.floor(round.samples)} canary requests in the window, fewer than the ${minRequests} a step needs: the fix could not be shown to be safe${why}`,
              by: 'medic',
            };
          }
          if (!waitingNoted) {
            await this.decide(
              step.index,
              'hold',
              `bake done with ${Math.floor(round.samples)} of ${minRequests} canary requests in the window; waiting for traffic${why}`,
            );
            waitingNoted = true;
          }
        }
      }
      const wait =
        elapsed < bakeSeconds * 1000 ? Math.min(intervalMs, bakeSeconds * 1000 - elapsed) : intervalMs;
      const seen = await this.pause(wait, step);
      if (seen) return { pass: false, reason: describeFailure(seen, this.r), by: 'medic' };
    }
  }

  /** Waits `ms`; the canary's output wakes it early to look for the signature. Returns a failing reading. */
  private async pause(ms: number, step: RolloutStep): Promise<GateReading | undefined> {
    const end = Date.now() + ms;
    while (Date.now() < end && !this.wakeSignal?.aborted) {
      const poked = await this.waker.wait(end - Date.now(), this.wakeSignal);
      if (!poked || this.o.signature === undefined) continue;
      const reading = await this.o.signature.read(new Date());
      if (!reading.ok) {
        step.readings.push(reading);
        await this.save();
        return reading;
      }
      await this.waker.sleep(Math.min(WAKE_GAP_MS, Math.max(0, end - Date.now())), this.wakeSignal);
    }
    return undefined;
  }

  /** Leaves the rollout as stored (every reading and decision is), for another controller to resume. */
  private stopIfAsked(): void {
    if (this.o.stop?.aborted) throw new Stopped('the controller was stopped; the rollout stays in progress');
  }

  private aborted(): Verdict {
    return {
      pass: false,
      reason: 'interrupted: traffic goes back to stable',
      by: this.o.abortedBy ?? 'operator',
    };
  }

  private async rollback(index: number, reason: string, by: string): Promise<Rollout> {
    await this.decide(index, 'rollback', reason, by);
    return this.finishRollback();
  }

  private async finishRollback(): Promise<Rollout> {
    const decision = this.r.decisions.at(-1);
    await this.o.driver.rollback();
    const step = this.r.steps.at(-1);
    if (step && step.endedAt === undefined) step.endedAt = now();
    this.r.outcome = decision?.by === 'medic' ? 'rolled-back' : 'aborted';
    this.r.finishedAt = now();
    await this.save();
    this.progress(`${this.r.outcome}: all traffic on stable, canary stopped`);
    return this.r;
  }

  private async finishPromote(): Promise<Rollout> {
    await this.o.driver.promote();
    this.r.outcome = 'promoted';
    this.r.finishedAt = now();
    await this.save();
    this.progress('promoted: the fix is the new stable');
    return this.r;
  }

  private async decide(
    step: number,
    decision: RolloutDecision['decision'],
    reason: string,
    by = 'medic',
  ): Promise<void> {
    this.r.decisions.push({ at: now(), step, decision, reason, by });
    await this.save();
    this.progress(`${decision}: ${reason}`);
  }

  private save(): Promise<void> {
    return this.o.store.put(this.r.incidentId, 'rollout', this.r);
  }
}

function now(): string {
  return new Date().toISOString();
}
