/** The driver port: what moves traffic between the stable version and the canary (the local driver; a cluster's later). */
import type { Progress } from '../core/progress.js';

export interface RolloutDriver {
  readonly kind: string;
  /**
   * Makes the deployment ready for the rollout: builds what must be built and starts stable, or
   * attaches to the deployment a previous controller of the same rollout left running.
   */
  prepare(onProgress: Progress): Promise<void>;
  /** Routes `weight` % of requests to the canary, starting it first when it is not running. Idempotent. */
  setWeight(weight: number): Promise<void>;
  /** Sends all traffic to stable and stops the canary. Idempotent. */
  rollback(): Promise<void>;
  /** Makes the canary the new stable (starting it when needed) and retires the old one. Idempotent. */
  promote(): Promise<void>;
  /** What the canary printed since it was first started in this rollout (stdout and stderr). */
  canaryOutput(): Promise<string>;
  /** Calls `listener` whenever the canary prints; returns the function that stops watching. */
  watchCanary(listener: () => void): () => void;
  /** Lets go of the deployment and leaves it running (another controller may attach to it). */
  detach(): Promise<void>;
}
