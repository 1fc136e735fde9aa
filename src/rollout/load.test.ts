import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedicError } from '../core/errors.js';
import { LoadGenerator, type LoadOptions } from './load.js';

describe('the load generator', () => {
  let server: Server;
  let target: string;
  let received = 0;
  let done: () => void = () => {};
  beforeAll(async () => {
    server = createServer((req, res) => {
      received++;
      res.writeHead(req.url === '/missing' ? 404 : 200).end('ok');
      if (received === 20) done();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the recorded requests and stops by itself after its request budget', async () => {
    const twenty = new Promise<void>((resolve) => {
      done = resolve;
    });
    const load = new LoadGenerator({
      target,
      rps: 200,
      maxRequests: 20,
      requests: [
        { method: 'GET', path: '/ok', headers: {}, body: '' },
        { method: 'GET', path: '/missing', headers: {}, body: '' },
      ],
    });
    load.start();
    await twenty;
    load.stop();
    expect(load.stats.sent).toBe(20);
    expect(Object.keys(load.stats.statuses).every((s) => s === '200' || s === '404')).toBe(true);
  });

  it('refuses targets off the loopback, empty request lists and silly rates', () => {
    const bad = (o: Partial<LoadOptions>) => {
      try {
        new LoadGenerator({
          target,
          rps: 10,
          requests: [{ method: 'GET', path: '/', headers: {}, body: '' }],
          ...o,
        });
        return 'ok';
      } catch (error) {
        return isMedicError(error) ? error.code : String(error);
      }
    };
    expect(bad({ target: '10.0.0.1:80' })).toBe('MEDIC_ERR_INPUT_BAD_OPTION');
    expect(bad({ requests: [] })).toBe('MEDIC_ERR_INPUT_BAD_OPTION');
    expect(bad({ rps: 0 })).toBe('MEDIC_ERR_INPUT_BAD_OPTION');
    expect(bad({})).toBe('ok');
  });
});
