/**
 * The local deployment: stable and canary processes under supervision, the weighted proxy in front
 * of them, and an admin server (`/metrics` for Prometheus, `/-/...` for the controller). It runs in
 * its own process so traffic keeps flowing while a controller dies and another one resumes.
 */
import { timingSafeEqual } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { z } from 'zod';
import { type AgentSpec, type AgentState, Build, WeightRequest } from './agent-api.js';
import { DeploymentMetrics, type Version } from './metrics.js';
import { createProxy, type Route } from './proxy.js';
import { Supervised } from './supervisor.js';

export const AGENT_STATE_FILE = 'agent-state.json';

export class Agent {
  private stable: Supervised;
  private canary: Supervised | undefined;
  private weight = 0;
  private stopped = false;
  private readonly metrics: DeploymentMetrics;
  private proxy: Server | undefined;
  private admin: Server | undefined;
  /** Admin calls run one at a time: each changes processes and routes as a whole. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly spec: AgentSpec,
    private readonly onStopped: () => void = () => {},
  ) {
    this.metrics = new DeploymentMetrics(spec.rolloutId);
    this.stable = this.supervise(spec.stable);
  }

  async start(): Promise<void> {
    await this.stable.start();
    this.metrics.setWeight(0);
    this.proxy = createProxy({ route: () => this.route(), metrics: this.metrics });
    this.admin = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => reply(res, 500, { error: error.message }));
    });
    await listen(this.proxy, this.spec.listen);
    await listen(this.admin, this.spec.adminListen);
    this.log(
      `serving ${this.spec.listen}, admin ${this.spec.adminListen}, stable ${short(this.spec.stable.revision)}`,
    );
    this.persist();
  }

  state(): AgentState {
    return {
      rolloutId: this.spec.rolloutId,
      pid: process.pid,
      listen: this.spec.listen,
      adminListen: this.spec.adminListen,
      weight: this.weight,
      stable: this.stable.state(),
      canary: this.canary?.state() ?? null,
      stopped: this.stopped,
    };
  }

  /** Stops both versions and both servers; the state file says `stopped`. */
  async shutdown(): Promise<void> {
    await this.stopProcesses();
    await Promise.all([closeServer(this.proxy), closeServer(this.admin)]);
    this.onStopped();
  }

  private async stopProcesses(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.log('shutting down');
    await Promise.all([this.stable.stop(), this.canary?.stop()]);
    this.persist();
  }

  private route(): Route {
    const canary = this.canary;
    const toCanary = canary !== undefined && Math.random() * 100 < this.weight;
    const chosen: [Version, Supervised] = toCanary && canary ? ['canary', canary] : ['stable', this.stable];
    const [version, process] = chosen;
    return { version, revision: process.options.build.revision, addr: process.addr, up: process.up };
  }

  private async startCanary(build: Build): Promise<void> {
    if (this.canary?.options.build.revision === build.revision) return;
    await this.canary?.stop();
    const canary = this.supervise(build);
    this.canary = canary;
    try {
      await canary.start();
    } catch (error) {
      await canary.stop();
      this.canary = undefined;
      throw new Error(`the canary ${short(build.revision)} did not start: ${(error as Error).message}`);
    }
    this.log(`canary ${short(build.revision)} up on ${canary.addr}`);
  }

  private setWeight(weight: number): void {
    if (weight > 0 && this.canary === undefined) throw new Error('no canary is running to take traffic');
    this.weight = weight;
    this.metrics.setWeight(weight);
    this.log(`canary weight ${weight} %`);
  }

  /** All traffic to stable, then the canary is stopped. */
  private async rollback(): Promise<void> {
    this.setWeight(0);
    const canary = this.canary;
    this.canary = undefined;
    await canary?.stop();
    if (canary) this.log(`canary ${short(canary.options.build.revision)} stopped`);
  }

  /** The canary becomes stable: new requests go to it alone, then the old stable is stopped. */
  private async promote(build: Build): Promise<void> {
    if (this.stable.options.build.revision === build.revision && this.canary === undefined) return;
    await this.startCanary(build);
    const canary = this.canary;
    if (canary === undefined) throw new Error('no canary to promote');
    const old = this.stable;
    this.stable = canary;
    this.canary = undefined;
    this.weight = 0;
    this.metrics.setWeight(0);
    await old.stop();
    this.log(`promoted ${short(build.revision)}; ${short(old.options.build.revision)} stopped`);
  }

  private supervise(build: Build): Supervised {
    const supervised: Supervised = new Supervised({
      build,
      args: this.spec.service.args,
      env: this.spec.service.env,
      log: join(this.spec.stateDir, `${short(build.revision)}.log`),
      onExit: (code, signal) => {
        const role = this.roleOf(supervised);
        if (role) this.metrics.restarted(role);
        this.log(`${role ?? 'retired'} ${short(build.revision)} exited (${signal ?? code}); restarting`);
      },
      onUp: (up) => {
        const role = this.roleOf(supervised);
        if (role) this.metrics.setUp(role, up);
        this.persist();
      },
    });
    return supervised;
  }

  /** A process's role now: the canary becomes stable on promotion. */
  private roleOf(process: Supervised): Version | undefined {
    if (process === this.stable) return 'stable';
    return process === this.canary ? 'canary' : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
      res.end(await this.metrics.registry.metrics());
      return;
    }
    if (!this.authorized(req)) return reply(res, 401, { error: 'missing or wrong bearer token' });
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    const act = async (work: () => Promise<void> | void): Promise<void> => {
      const run = this.queue.then(work);
      this.queue = run.catch(() => {});
      try {
        await run;
      } catch (error) {
        return reply(res, 409, { error: (error as Error).message });
      }
      this.persist();
      reply(res, 200, this.state());
    };
    if (req.method === 'GET' && path === '/-/state') return reply(res, 200, this.state());
    if (req.method !== 'POST') return reply(res, 404, { error: `no route ${req.method} ${path}` });
    switch (path) {
      case '/-/canary':
        return withBody(res, Build, body, (b) => act(() => this.startCanary(b)));
      case '/-/weight':
        return withBody(res, WeightRequest, body, (b) => act(() => this.setWeight(b.weight)));
      case '/-/rollback':
        return act(() => this.rollback());
      case '/-/promote':
        return withBody(res, Build, body, (b) => act(() => this.promote(b)));
      case '/-/shutdown':
        // Answer once the services are down, then let go of the servers and exit.
        await this.stopProcesses();
        res.on('finish', () => void this.shutdown());
        reply(res, 200, this.state());
        return;
      default:
        return reply(res, 404, { error: `no route POST ${path}` });
    }
  }

  private authorized(req: IncomingMessage): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    const wanted = Buffer.from(`Bearer ${this.spec.token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  /** The state file lets a driver find this agent and, when it is gone, its leftover processes. */
  private persist(): void {
    const file = join(this.spec.stateDir, AGENT_STATE_FILE);
    const temp = `${file}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.state(), null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  }

  private log(message: string): void {
    process.stderr.write(`${new Date().toISOString()} ${message}\n`);
  }
}

function short(revision: string): string {
  return revision.slice(0, 12);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function withBody<S extends z.ZodType>(
  res: ServerResponse,
  schema: S,
  body: unknown,
  then: (value: z.output<S>) => Promise<void>,
): Promise<void> | undefined {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    reply(res, 400, { error: 'invalid request', issues: parsed.error.issues });
    return undefined;
  }
  return then(parsed.data);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function listen(server: Server, hostPort: string): Promise<void> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(hostPort.slice(i + 1)), hostPort.slice(0, i), () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
