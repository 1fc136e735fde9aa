/**
 * Medic's small reverse proxy: each request goes to the canary with probability weight/100, else to
 * stable; the answer (or a 502/504 the proxy gives for a version that could not answer) is counted
 * and timed per version.
 */
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { DeploymentMetrics, Version } from './metrics.js';

export interface Route {
  version: Version;
  revision: string;
  /** Loopback `host:port` of the version, when it is running. */
  addr: string | undefined;
  up: boolean;
}

export interface ProxyOptions {
  /** Picks the version for one request (the agent applies the weight). */
  route: () => Route;
  metrics: DeploymentMetrics;
  /** Upstream answer time limit. Default 30 s. */
  timeoutMs?: number;
}

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

export function createProxy(options: ProxyOptions): Server {
  const upstream = new Agent({ keepAlive: true, maxSockets: 256 });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const server = createServer((req, res) => {
    const started = performance.now();
    const route = options.route();
    res.on('finish', () => {
      options.metrics.observe(
        route.version,
        route.revision,
        res.statusCode,
        (performance.now() - started) / 1000,
      );
    });
    if (route.addr === undefined || !route.up) {
      fail(res, 502, `${route.version} is not running`);
      req.resume();
      return;
    }
    forward(req, res, route.addr, upstream, timeoutMs);
  });
  server.on('close', () => upstream.destroy());
  return server;
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  addr: string,
  agent: Agent,
  timeoutMs: number,
): void {
  const [host, port] = splitHostPort(addr);
  const headers = { ...req.headers };
  for (const h of HOP_BY_HOP) delete headers[h];
  const out = request(
    { host, port, method: req.method, path: req.url, headers, agent, timeout: timeoutMs },
    (answer) => {
      const back = { ...answer.headers };
      for (const h of HOP_BY_HOP) delete back[h];
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    },
  );
  out.on('timeout', () => {
    out.destroy();
    fail(res, 504, 'upstream timed out');
  });
  out.on('error', (error) => fail(res, 502, `upstream failed: ${error.message}`));
  req.pipe(out);
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    // The answer had begun: the client sees a cut connection, the metrics the status already sent.
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`medic rollout proxy: ${message}\n`);
}

function splitHostPort(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i), Number(addr.slice(i + 1))];
}
