// HTTP intake through fastify.inject(): credentials, signatures, limits, validation, dedup, artifacts, the read API and pages.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServiceConfig, type ServiceConfigInput } from '../../src/service/config.js';
import { type App, buildApp } from '../../src/service/http/app.js';
import { Intake } from '../../src/service/intake.js';
import { loadArtifacts } from '../../src/service/ledger/intake.js';
import { Ledger } from '../../src/service/ledger/ledger.js';
import { type OpenedDb, openDb } from '../../src/service/ledger/open.js';
import { incidentDetail, listIncidents } from '../../src/service/ledger/queries.js';
import { Metrics } from '../../src/service/metrics.js';
import { InlineQueue } from '../../src/service/queue/inline.js';
import { freshDatabase, type TestDatabase } from './db.js';
import { alertmanagerPayload, grafanaPayload } from './payloads.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/incidents/nil-map-write');
const TOKEN = 'test-token-0123456789';
const GRAFANA_SECRET = 'grafana-shared-secret';
const bearer = { authorization: `Bearer ${TOKEN}` };

let database: TestDatabase;
let db: OpenedDb;
let ledger: Ledger;
let pprof: Server;
let pprofUrl: string;

interface Harness {
  app: App;
  intake: Intake;
  queue: InlineQueue;
}

async function harness(overrides: ServiceConfigInput = {}): Promise<Harness> {
  const config = parseServiceConfig({
    sources: {
      default: { auth: { bearer: TOKEN } },
      alertmanager: {
        auth: { basic: { username: 'am', password: 'am-pass' } },
        rateLimit: { max: 1000, windowMs: 60_000 },
      },
      grafana: {
        auth: {
          hmac: {
            secret: GRAFANA_SECRET,
            timestampHeader: 'X-Grafana-Alerting-Signature-Timestamp',
            toleranceSeconds: 60,
          },
        },
      },
    },
    services: [
      {
        name: 'warehouse',
        repo: { path: join(FIXTURE, 'service') },
        mainPackage: './cmd/server',
        artifacts: [
          { kind: 'panic-log', file: join(FIXTURE, 'artifacts/panic.log') },
          { kind: 'profile', profile: 'heap', url: `${pprofUrl}/debug/pprof/heap` },
          { kind: 'profile', profile: 'goroutine', url: `${pprofUrl}/broken` },
        ],
      },
    ],
    bodyLimitBytes: 256 * 1024,
    ...overrides,
  });
  const log = pino({ level: 'silent' });
  // Not started: jobs stay queued, so intake is tested without running the pipeline.
  const queue = new InlineQueue(config.queue);
  const metrics = new Metrics(() => queue.counts());
  const intake = new Intake({ ledger, queue, config, log });
  const app = await buildApp({ config, intake, ledger, queue, metrics, log, pingDb: () => db.ping() });
  return { app, intake, queue };
}

const basic = (user: string, pass: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});
const amAuth = basic('am', 'am-pass');

function signed(body: string, timestamp: number, secret = GRAFANA_SECRET) {
  const signature = createHmac('sha256', secret).update(`${timestamp}:${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'x-grafana-alerting-signature': signature,
    'x-grafana-alerting-signature-timestamp': String(timestamp),
  };
}

async function incidentCount(): Promise<number> {
  return (await listIncidents(ledger, { limit: 500 })).length;
}

beforeAll(async () => {
  database = await freshDatabase();
  db = await openDb({ databaseUrl: database.url, pgliteDir: '' });
  ledger = new Ledger(db.db);
  const heap = await readFile(join(FIXTURE, 'artifacts/heap.pprof'));
  pprof = createServer((request, response) => {
    if (request.url === '/debug/pprof/heap') response.writeHead(200).end(heap);
    else response.writeHead(500).end('boom');
  });
  await new Promise<void>((resolve) => pprof.listen(0, '127.0.0.1', resolve));
  pprofUrl = `http://127.0.0.1:${(pprof.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => pprof.close(resolve));
  await db.close();
  await database.drop();
});

describe('intake security', () => {
  it('refuses missing or wrong credentials with 401 and leaves no trace', async () => {
    const { app } = await harness();
    const before = await incidentCount();
    const payload = alertmanagerPayload({ groupKey: 'sec-1' });
    const cases = [
      {},
      bearer,
      basic('am', 'wrong'),
      { authorization: 'Basic !!!' },
      basic('other', 'am-pass'),
    ];
    for (const headers of cases) {
      const response = await app.inject({ method: 'POST', url: '/v1/alerts/alertmanager', headers, payload });
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('MEDIC_ERR_SERVICE_UNAUTHORIZED');
    }
    const api = await app.inject({
      method: 'GET',
      url: '/v1/incidents',
      headers: { authorization: 'Bearer nope' },
    });
    expect(api.statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/incidents' })).statusCode).toBe(401);
    expect(await incidentCount()).toBe(before);
  });

  it('checks the Grafana HMAC over timestamp:body and refuses replays outside the window', async () => {
    const { app } = await harness();
    const before = await incidentCount();
    const body = JSON.stringify(grafanaPayload({ groupKey: 'hmac-1' }));
    const now = Math.floor(Date.now() / 1000);
    const send = (headers: Record<string, string>, payload = body) =>
      app.inject({ method: 'POST', url: '/v1/alerts/grafana', headers, payload });
    const bad = await send(signed(body, now, 'another-secret'));
    expect([bad.statusCode, bad.json().code]).toEqual([401, 'MEDIC_ERR_SERVICE_BAD_SIGNATURE']);
    const tampered = await send(signed(body, now), body.replace('GoPanics', 'GoPanicz'));
    expect(tampered.json().code).toBe('MEDIC_ERR_SERVICE_BAD_SIGNATURE');
    const { 'x-grafana-alerting-signature': _, ...unsigned } = signed(body, now);
    expect((await send(unsigned)).json().code).toBe('MEDIC_ERR_SERVICE_BAD_SIGNATURE');
    const replayed = await send(signed(body, now - 3600));
    expect([replayed.statusCode, replayed.json().code]).toEqual([401, 'MEDIC_ERR_SERVICE_STALE_SIGNATURE']);
    expect(await incidentCount()).toBe(before);
    const good = await send(signed(body, now));
    expect([good.statusCode, good.json().status]).toEqual([202, 'created']);
  });

  it('checks an HMAC over the body alone when no timestamp header is configured', async () => {
    const { app } = await harness({
      sources: {
        default: { auth: { bearer: TOKEN } },
        grafana: { auth: { hmac: { secret: GRAFANA_SECRET, header: 'X-Signature' } } },
      },
    });
    const body = JSON.stringify(grafanaPayload({ groupKey: 'hmac-2' }));
    const signature = createHmac('sha256', GRAFANA_SECRET).update(body).digest('hex');
    const headers = { 'content-type': 'application/json', 'x-signature': signature };
    expect(
      (await app.inject({ method: 'POST', url: '/v1/alerts/grafana', headers, payload: body })).statusCode,
    ).toBe(202);
    const wrong = { ...headers, 'x-signature': signature.replace(/^./, signature[0] === 'a' ? 'b' : 'a') };
    expect(
      (await app.inject({ method: 'POST', url: '/v1/alerts/grafana', headers: wrong, payload: body }))
        .statusCode,
    ).toBe(401);
  });

  it('refuses an oversized body, malformed JSON, other media types and bad payloads, naming the zod issues', async () => {
    const { app } = await harness();
    const headers = { ...basic('am', 'am-pass'), 'content-type': 'application/json' };
    const before = await incidentCount();
    const huge = JSON.stringify({ ...alertmanagerPayload(), padding: 'x'.repeat(300 * 1024) });
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers,
      payload: huge,
    });
    expect([tooLarge.statusCode, tooLarge.json().code]).toEqual([413, 'MEDIC_ERR_SERVICE_BODY_TOO_LARGE']);
    const malformed = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers,
      payload: '{"version":"4",',
    });
    expect([malformed.statusCode, malformed.json().code]).toEqual([400, 'MEDIC_ERR_SERVICE_INVALID_JSON']);
    const text = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect([text.statusCode, text.json().code]).toEqual([415, 'MEDIC_ERR_SERVICE_UNSUPPORTED_MEDIA']);
    const invalid = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers,
      payload: { ...alertmanagerPayload(), version: '3', alerts: 'none' },
    });
    expect([invalid.statusCode, invalid.json().code]).toEqual([400, 'MEDIC_ERR_SERVICE_INVALID_PAYLOAD']);
    expect(invalid.json().details.map((d: { path: string }) => d.path)).toEqual(['/version', '/alerts']);
    const proto = await app.inject({
      method: 'POST',
      url: '/v1/incidents',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: '{"__proto__":{"x":1}}',
    });
    expect(proto.statusCode).toBe(400);
    expect(await incidentCount()).toBe(before);
  });

  it('rate limits each source on its own with 429 and retry-after', async () => {
    const { app } = await harness({
      sources: {
        default: { auth: { bearer: TOKEN }, rateLimit: { max: 2, windowMs: 60_000 } },
        alertmanager: { rateLimit: { max: 1000, windowMs: 60_000 } },
      },
    });
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/v1/incidents',
        headers: bearer,
        payload: { schema: 'medic.incident.v1', service: 'unknown' },
      });
    expect((await send()).statusCode).toBe(422);
    expect((await send()).statusCode).toBe(422);
    const limited = await send();
    expect([limited.statusCode, limited.json().code]).toEqual([429, 'MEDIC_ERR_SERVICE_RATE_LIMITED']);
    expect(limited.headers['retry-after']).toBeDefined();
    const other = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers: bearer,
      payload: alertmanagerPayload({ groupKey: 'rl-1' }),
    });
    expect(other.statusCode).toBe(202);
  });
});

describe('intake', () => {
  it('answers 503 with MEDIC_ERR_SERVICE_LEDGER when the ledger is down, and readiness says so', async () => {
    const down = await freshDatabase();
    const downDb = await openDb({ databaseUrl: down.url, pgliteDir: '' });
    const config = parseServiceConfig({ sources: { default: { auth: { bearer: TOKEN } } } });
    const log = pino({ level: 'silent' });
    const queue = new InlineQueue(config.queue);
    const metrics = new Metrics(() => queue.counts());
    const downLedger = new Ledger(downDb.db);
    const intake = new Intake({ ledger: downLedger, queue, config, log });
    const app = await buildApp({
      config,
      intake,
      ledger: downLedger,
      queue,
      metrics,
      log,
      pingDb: () => downDb.ping(),
    });
    await downDb.close();
    await down.drop();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers: bearer,
      payload: alertmanagerPayload(),
    });
    expect([response.statusCode, response.json().code, response.json().retryable]).toEqual([
      503,
      'MEDIC_ERR_SERVICE_LEDGER',
      true,
    ]);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([503, { database: 'down', queue: 'ok' }]);
    await intake.close();
  });

  it('opens one incident per alert group, counts duplicates, records the resolution', async () => {
    const { app, intake, queue } = await harness();
    const send = (status: 'firing' | 'resolved') =>
      app.inject({
        method: 'POST',
        url: '/v1/alerts/alertmanager',
        headers: amAuth,
        payload: alertmanagerPayload({ groupKey: 'dedup-1', status }),
      });
    const first = (await send('firing')).json();
    expect(first.status).toBe('created');
    expect((await send('firing')).json()).toEqual({ status: 'duplicate', incidentId: first.incidentId });
    expect((await send('resolved')).json()).toEqual({ status: 'resolved', incidentId: first.incidentId });
    await intake.flush();
    const detail = await incidentDetail(ledger, first.incidentId);
    expect(detail.deliveries).toBe(3);
    expect(detail.incident).toMatchObject({
      status: 'queued',
      alertStatus: 'resolved',
      service: 'warehouse',
      title: 'warehouse panicked',
    });
    expect(detail.audit.map((a) => a.action)).toEqual([
      'incident.opened',
      'artifact.unavailable',
      'alert.resolved',
    ]);
    expect((await queue.counts()).ingest.waiting).toBeGreaterThan(0);
    // The gathered artifacts: the log file's tail and the heap profile; the broken source is in the audit.
    const incident = await ledger.get(first.incidentId, 'incident');
    expect(incident?.artifacts.map((a) => a.kind)).toEqual(['panic-log', 'profile']);
    const stored = await loadArtifacts(ledger, first.incidentId);
    const heap = stored.find((a) => a.path.endsWith('profile-heap.pprof'));
    expect(heap?.content).toEqual(await readFile(join(FIXTURE, 'artifacts/heap.pprof')));
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers: amAuth,
      payload: alertmanagerPayload({ groupKey: 'x', service: 'nope' }),
    });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'MEDIC_ERR_SERVICE_UNKNOWN_SERVICE']);
  });

  it("takes incidents in Medic's own schema with uploaded artifacts", async () => {
    const { app } = await harness();
    const submit = (fields: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/v1/incidents',
        headers: bearer,
        payload: { schema: 'medic.incident.v1', service: 'warehouse', ...fields },
      });
    const profile = await readFile(join(FIXTURE, 'artifacts/cpu.pprof'));
    const response = await submit({
      title: 'crash report',
      revision: 'main',
      dedupKey: 'report-7',
      artifacts: [
        { kind: 'panic-log', content: await readFile(join(FIXTURE, 'artifacts/panic.log'), 'utf8') },
        { kind: 'profile', profile: 'cpu', content: profile.toString('base64'), encoding: 'base64' },
      ],
    });
    expect(response.statusCode).toBe(202);
    const id = response.json().incidentId;
    const incident = await ledger.get(id, 'incident');
    expect(incident).toMatchObject({
      source: 'api',
      title: 'crash report',
      service: { repo: { revision: 'main' } },
    });
    const stored = await loadArtifacts(ledger, id);
    expect(stored.find((a) => a.path.includes('profile-cpu'))?.content).toEqual(profile);
    const bad = await submit({
      revision: '--upload-pack=evil',
      artifacts: [{ kind: 'profile', content: 'x' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.map((d: { path: string }) => d.path)).toEqual(['/revision', '/artifacts/0']);
  });

  it('serves the incident API, the list page, the report page, health, readiness and metrics', async () => {
    const { app } = await harness();
    const created = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers: amAuth,
      payload: alertmanagerPayload({ groupKey: 'read-1' }),
    });
    const id = created.json().incidentId;
    const list = await app.inject({ method: 'GET', url: '/v1/incidents?limit=5', headers: bearer });
    expect(list.json().incidents[0]).toMatchObject({ id, status: 'queued', service: 'warehouse' });
    const detail = await app.inject({ method: 'GET', url: `/v1/incidents/${id}`, headers: bearer });
    expect(Object.keys(detail.json().records)).toEqual(['incident']);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/incidents/no-such', headers: bearer })).statusCode,
    ).toBe(404);
    const page = await app.inject({ method: 'GET', url: '/incidents', headers: bearer });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain(`href="/incidents/${id}"`);
    const report = await app.inject({ method: 'GET', url: `/incidents/${id}`, headers: bearer });
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain(id);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      database: 'ok',
      queue: 'ok',
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('medic_intake_requests_total{source="alertmanager",outcome="created"} 1');
    expect(metrics).toContain('medic_queue_depth{stage="ingest",state="waiting"}');
  });
});
