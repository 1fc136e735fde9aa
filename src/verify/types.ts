/** The verify stage's public types: what the pipeline passes in and what it gets back. */
import type { Check, Evidence, Incident, Patch, Verification } from '../core/model.js';
import type { Progress } from '../core/progress.js';
import type { IsolationMode } from './sandbox/index.js';

export interface VerifyContext {
  incident: Incident;
  evidence: Evidence;
  incidentDir: string;
  /** Read only: every check works on copies under `workDir`. */
  repoDir: string;
  /** Where workspaces go; each run makes (and removes) its own directory inside. */
  workDir: string;
}

export interface VerifyOutcome {
  /** The first candidate, in rank order, that was verified. */
  chosen?: Patch;
  /** One per candidate tried, in rank order; candidates after the chosen one are not tried. */
  verifications: Verification[];
}

export interface VerifyOptions {
  /** Called as each check ends (the CLI prints it live). */
  onCheck?: (check: Check) => void;
  onProgress?: Progress;
  /** The `go` binary. Default: MEDIC_GO or `go` on PATH. */
  goBinary?: string;
  /** GOCACHE shared across runs. Default: the toolchain's own cache. */
  goCache?: string;
  /** `auto` (default): WASI where a package builds for wasip1, else namespaces, else native. */
  isolation?: IsolationMode;
  /** Runs per side for concurrency classes. Default 20. */
  concurrencyRuns?: number;
  /** `selected` (default): packages holding or depending on the change; `all`: `./...` (for the bench). */
  testScope?: 'selected' | 'all';
  /** Keep the workspaces for inspection instead of removing them. Default false. */
  keepWorkspace?: boolean;
}
