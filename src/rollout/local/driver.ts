/**
 * The local driver: builds the stable and the patched binaries with the machine's Go and runs them
 * behind Medic's weighted proxy in a detached agent process, which it starts or, when resuming,
 * finds again through the files it left in the rollout's state directory.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, watch } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMedicError, RolloutError } from '../../core/errors.js';
import type { ServiceRef } from '../../core/model.js';
import type { Progress } from '../../core/progress.js';
import type { RolloutDriver } from '../driver.js';
import { AGENT_STATE_FILE } from './agent.js';
import { AgentClient, AgentSpec, type Build } from './agent-api.js';
import { buildService } from './build.js';
import { killLeftovers, tail, waitForExit } from './processes.js';

export interface LocalDriverOptions {
  rolloutId: string;
  /** The rollout's own directory: agent spec and state, the agent's log, each revision's output. */
  stateDir: string;
  /** Git repository holding both commits (the run's checkout). */
  repoDir: string;
  stableCommit: string;
  canaryCommit: string;
  service: ServiceRef;
  goBinary: string;
  /** Where built binaries are cached across rollouts. */
  buildCacheDir: string;
  /** `host:port` the proxy serves the service on. */
  listen: string;
  /** `host:port` of `/metrics` (Prometheus scrapes it) and the agent's admin endpoints. */
  adminListen: string;
  /** Told the proxy's address once the deployment serves (started or attached to). */
  onServing?: (listen: string) => void;
}

const SPEC_FILE = 'agent-spec.json';
const OUTPUT_LIMIT = 8 * 1024 * 1024;

export class LocalDriver implements RolloutDriver {
  readonly kind = 'local';
  private client: AgentClient | undefined;
  private stable: Build | undefined;
  private canary: Build | undefined;

  constructor(readonly options: LocalDriverOptions) {}

  async prepare(onProgress: Progress): Promise<void> {
    const { service } = this.options;
    if (service.mode === 'batch' || !service.run.args.some((a) => a.includes('{addr}'))) {
      throw new RolloutError(
        'MEDIC_ERR_ROLLOUT_UNSUPPORTED',
        `${service.name} is not an HTTP service taking {addr} in service.run.args`,
      );
    }
    await mkdir(this.options.stateDir, { recursive: true });
    const build = (commit: string) =>
      buildService({
        repoDir: this.options.repoDir,
        commit,
        mainPackage: service.mainPackage,
        goBinary: this.options.goBinary,
        cacheDir: this.options.buildCacheDir,
        onProgress,
      });
    this.stable = await build(this.options.stableCommit);
    this.canary = await build(this.options.canaryCommit);
    if (await this.attach()) {
      onProgress(`attached to the running deployment on ${this.spec().listen}`);
    } else {
      await killLeftovers(join(this.options.stateDir, AGENT_STATE_FILE));
      await this.startAgent(this.stable);
      onProgress(`stable ${this.stable.revision.slice(0, 12)} serving on ${this.spec().listen}`);
    }
    this.options.onServing?.(this.spec().listen);
  }

  async setWeight(weight: number): Promise<void> {
    const client = this.agent();
    if (weight > 0) await client.startCanary(this.builds().canary);
    await client.setWeight(weight);
  }

  async rollback(): Promise<void> {
    await this.agent().rollback();
  }

  async promote(): Promise<void> {
    await this.agent().promote(this.builds().canary);
  }

  async canaryOutput(): Promise<string> {
    const file = this.canaryLog();
    if (!existsSync(file)) return '';
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, OUTPUT_LIMIT);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  }

  watchCanary(listener: () => void): () => void {
    const name = this.canaryLog().slice(this.options.stateDir.length + 1);
    const watcher = watch(this.options.stateDir, (_event, filename) => {
      if (filename === name) listener();
    });
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  }

  async detach(): Promise<void> {
    this.client = undefined;
  }

  /** Stops the deployment: both versions, the proxy and the agent. */
  async shutdown(): Promise<void> {
    const specFile = join(this.options.stateDir, SPEC_FILE);
    if (!existsSync(specFile)) return;
    const spec = this.spec();
    const client = this.client ?? new AgentClient(spec.adminListen, spec.token, 30_000);
    this.client = undefined;
    try {
      // The agent answers once both versions are down, then exits by itself: wait for that.
      const { pid } = await client.shutdown();
      await waitForExit(pid);
    } catch (error) {
      if (!isMedicError(error)) throw error;
      // The agent is gone or hung: make sure nothing it started is left behind.
      await killLeftovers(join(this.options.stateDir, AGENT_STATE_FILE));
    }
  }

  private async attach(): Promise<boolean> {
    if (!existsSync(join(this.options.stateDir, SPEC_FILE))) return false;
    const spec = this.spec();
    if (spec.rolloutId !== this.options.rolloutId) return false;
    const client = new AgentClient(spec.adminListen, spec.token);
    try {
      const state = await client.state();
      if (state.stopped || state.rolloutId !== spec.rolloutId) return false;
    } catch (error) {
      if (isMedicError(error)) return false;
      throw error;
    }
    this.client = client;
    return true;
  }

  private async startAgent(stable: Build): Promise<void> {
    const { stateDir } = this.options;
    const spec = AgentSpec.parse({
      rolloutId: this.options.rolloutId,
      token: randomBytes(24).toString('hex'),
      listen: this.options.listen,
      adminListen: this.options.adminListen,
      stateDir,
      service: {
        args: this.options.service.run.args,
        // A small, explicit environment: the service's own settings, no secrets of the controller.
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: stateDir,
          TMPDIR: tmpdir(),
          ...this.options.service.run.env,
        },
      },
      stable,
    });
    const specFile = join(stateDir, SPEC_FILE);
    await writeFile(specFile, `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
    const log = openSync(join(stateDir, 'agent.log'), 'a');
    const child = spawn(process.execPath, [...agentEntry(), '--spec', specFile], {
      cwd: stateDir,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    let exited: string | undefined;
    child.on('exit', (code, signal) => {
      exited = `${signal ?? code}`;
    });
    child.unref();
    const client = new AgentClient(spec.adminListen, spec.token, 5_000);
    const deadline = Date.now() + 60_000;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      if (exited !== undefined || Date.now() > deadline) {
        const why = exited === undefined ? 'did not answer in 60 s' : `exited (${exited})`;
        throw new RolloutError(
          'MEDIC_ERR_ROLLOUT_DRIVER',
          `the rollout agent ${why}; agent.log ends with:\n${tail(join(stateDir, 'agent.log'))}`,
        );
      }
      try {
        await client.state();
        break;
      } catch (error) {
        if (!isMedicError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.client = new AgentClient(spec.adminListen, spec.token);
  }

  private spec(): AgentSpec {
    return AgentSpec.parse(JSON.parse(readFileSync(join(this.options.stateDir, SPEC_FILE), 'utf8')));
  }

  private agent(): AgentClient {
    if (this.client === undefined) throw new Error('local driver: prepare() must run first');
    return this.client;
  }

  private builds(): { stable: Build; canary: Build } {
    if (this.stable === undefined || this.canary === undefined)
      throw new Error('local driver: prepare() must run first');
    return { stable: this.stable, canary: this.canary };
  }

  private canaryLog(): string {
    return join(this.options.stateDir, `${this.builds().canary.revision.slice(0, 12)}.log`);
  }
}

/** How to run agent-main: the compiled .js as is, the TypeScript source through tsx's loader. */
function agentEntry(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return [join(dirname(here), 'agent-main.js')];
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href, join(dirname(here), 'agent-main.ts')];
}
