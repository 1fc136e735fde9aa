/**
 * The local deployment agent's contract: the spec it starts from, the state it reports, its admin
 * requests, and the client the driver talks to it with (bearer token, zod on every answer).
 */
import { z } from 'zod';
import { RolloutError, TransportError } from '../../core/errors.js';

/** `host:port` on which something listens. */
export const HostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');

export const Build = z.object({
  /** Absolute path of the built service binary. */
  binary: z.string().min(1),
  /** The commit it was built from. */
  revision: z.string().min(1),
});
export type Build = z.infer<typeof Build>;

export const AgentSpec = z.object({
  rolloutId: z.string().min(1),
  /** Bearer token of the admin endpoints (the file holding the spec is private to its owner). */
  token: z.string().min(16),
  /** Where the service is offered to clients: the proxy. */
  listen: HostPort,
  /** Where `/metrics` (for Prometheus) and the admin endpoints `/-/...` are served. */
  adminListen: HostPort,
  /** Directory of the agent's state file and of each revision's output log. */
  stateDir: z.string().min(1),
  service: z.object({
    /** Arguments with `{addr}` standing for the listen address the agent picks. */
    args: z.array(z.string()),
    env: z.record(z.string(), z.string()).default({}),
  }),
  stable: Build,
});
export type AgentSpec = z.infer<typeof AgentSpec>;

export const ProcessState = z.object({
  revision: z.string(),
  binary: z.string(),
  pid: z.number().int().optional(),
  addr: z.string().optional(),
  up: z.boolean(),
  restarts: z.number().int().min(0),
  /** Everything the process printed (stdout and stderr), across restarts. */
  log: z.string(),
});
export type ProcessState = z.infer<typeof ProcessState>;

export const AgentState = z.object({
  rolloutId: z.string(),
  pid: z.number().int(),
  listen: z.string(),
  adminListen: z.string(),
  weight: z.number().min(0).max(100),
  stable: ProcessState,
  canary: ProcessState.nullable(),
  stopped: z.boolean().default(false),
});
export type AgentState = z.infer<typeof AgentState>;

export const WeightRequest = z.object({ weight: z.number().min(0).max(100) });

/** Admin client: every call is authenticated, every answer validated, failures typed. */
export class AgentClient {
  constructor(
    readonly adminListen: string,
    private readonly token: string,
    private readonly timeoutMs = 60_000,
  ) {}

  state(): Promise<AgentState> {
    return this.call('GET', '/-/state');
  }
  startCanary(build: Build): Promise<AgentState> {
    return this.call('POST', '/-/canary', build);
  }
  setWeight(weight: number): Promise<AgentState> {
    return this.call('POST', '/-/weight', { weight });
  }
  rollback(): Promise<AgentState> {
    return this.call('POST', '/-/rollback');
  }
  promote(build: Build): Promise<AgentState> {
    return this.call('POST', '/-/promote', build);
  }
  shutdown(): Promise<AgentState> {
    return this.call('POST', '/-/shutdown');
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<AgentState> {
    const url = `http://${this.adminListen}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TransportError(
        'MEDIC_ERR_TRANSPORT_CONNECTION',
        `the rollout agent at ${url} cannot be reached`,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new RolloutError(
        'MEDIC_ERR_ROLLOUT_DRIVER',
        `${method} ${path}: the agent answered ${response.status}: ${text}`,
      );
    }
    const parsed = AgentState.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new RolloutError(
        'MEDIC_ERR_ROLLOUT_DRIVER',
        `${method} ${path}: the agent answered an unexpected shape`,
        {
          details: parsed.error.issues,
        },
      );
    }
    return parsed.data;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
