/**
 * A small load generator for local rollouts: recorded requests (the incident's normal traffic)
 * sent to the proxy at a fixed rate, picked at random, with bounded concurrency, request count and
 * duration, so it always stops by itself. Loopback targets only.
 */
import { Agent, request } from 'node:http';
import { InputError } from '../core/errors.js';
import type { ReplayRequest } from '../core/model.js';

export interface LoadOptions {
  /** `host:port` of the proxy; must be on the loopback. */
  target: string;
  requests: readonly ReplayRequest[];
  /** Requests per second. */
  rps: number;
  /** Stops after this many requests. Default 1,000,000. */
  maxRequests?: number;
  /** Stops after this long. Default 1 hour. */
  maxSeconds?: number;
  /** Requests in flight at most; a tick with all of them busy is skipped. Default 64. */
  concurrency?: number;
}

export interface LoadStats {
  sent: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  /** Requests that got no answer (refused, reset). */
  failed: number;
  skipped: number;
}

export class LoadGenerator {
  readonly stats: LoadStats = { sent: 0, statuses: {}, failed: 0, skipped: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly options: LoadOptions) {
    const i = options.target.lastIndexOf(':');
    this.host = options.target.slice(0, i);
    this.port = Number(options.target.slice(i + 1));
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(this.host)) {
      throw new InputError(
        'MEDIC_ERR_INPUT_BAD_OPTION',
        `load is only sent to loopback addresses, not ${options.target}`,
      );
    }
    if (options.requests.length === 0)
      throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', 'no requests to send as load');
    if (!(options.rps > 0 && options.rps <= 2000)) {
      throw new InputError(
        'MEDIC_ERR_INPUT_BAD_OPTION',
        `load rate must be in (0, 2000] requests/s, not ${options.rps}`,
      );
    }
  }

  start(): void {
    const max = this.options.maxRequests ?? 1_000_000;
    const concurrency = this.options.concurrency ?? 64;
    this.timer = setInterval(() => {
      if (this.stats.sent >= max) return this.stop();
      if (this.inFlight >= concurrency) {
        this.stats.skipped++;
        return;
      }
      const pick = this.options.requests[Math.floor(Math.random() * this.options.requests.length)];
      if (pick) this.send(pick);
    }, 1000 / this.options.rps);
    this.stopTimer = setTimeout(() => this.stop(), (this.options.maxSeconds ?? 3600) * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.stopTimer);
    this.agent.destroy();
  }

  private send(r: ReplayRequest): void {
    this.stats.sent++;
    this.inFlight++;
    const done = () => {
      this.inFlight--;
    };
    const req = request(
      {
        host: this.host,
        port: this.port,
        method: r.method,
        path: r.path,
        headers: r.headers,
        agent: this.agent,
        timeout: 30_000,
      },
      (res) => {
        const key = String(res.statusCode ?? 0);
        this.stats.statuses[key] = (this.stats.statuses[key] ?? 0) + 1;
        res.resume();
        res.on('end', done);
        res.on('error', done);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      this.stats.failed++;
      done();
    });
    req.end(r.body);
  }
}
