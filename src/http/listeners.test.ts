import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'node:http';
import pino from 'pino';
import { closeServer, listenRedirect, registerHsts, serverOptions, type Listener } from './listeners.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function echoApp(listener: Listener): FastifyInstance {
  const app = Fastify(serverOptions(listener));
  registerHsts(app, listener);
  app.get('/', async (req) => ({ protocol: req.protocol, host: req.host, ip: req.ip }));
  apps.push(app);
  return app;
}

const forwarded = { host: 'wharf:8081', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'registry.example', 'x-forwarded-for': '203.0.113.7' };

describe('trusted proxies', () => {
  it('honours X-Forwarded-Proto/Host/For from a listed peer (CIDR)', async () => {
    const app = echoApp({ trustedProxies: ['10.0.0.0/8'], hsts: 'max-age=60' });
    const res = await app.inject({ url: '/', remoteAddress: '10.1.2.3', headers: forwarded });
    expect(res.json()).toEqual({ protocol: 'https', host: 'registry.example', ip: '203.0.113.7' });
    expect(res.headers['strict-transport-security']).toBe('max-age=60'); // https as the proxy reports it
  });

  it('ignores them from any other peer', async () => {
    const app = echoApp({ trustedProxies: ['10.0.0.0/8'], hsts: 'max-age=60' });
    const res = await app.inject({ url: '/', remoteAddress: '192.0.2.1', headers: forwarded });
    expect(res.json()).toEqual({ protocol: 'http', host: 'wharf:8081', ip: '192.0.2.1' });
    expect(res.headers['strict-transport-security']).toBeUndefined(); // never on plain HTTP
  });

  it('ignores them when no proxy is trusted', async () => {
    const app = echoApp({ trustedProxies: [] });
    const res = await app.inject({ url: '/', remoteAddress: '127.0.0.1', headers: forwarded });
    expect(res.json()).toEqual({ protocol: 'http', host: 'wharf:8081', ip: '127.0.0.1' });
  });
});

describe('listenRedirect', () => {
  const get = (port: number, host: string | undefined) => new Promise<{ status?: number; location?: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v2/x?y=1', setHost: false, headers: host ? { host } : {} }, (res) => {
      res.resume();
      resolve({ status: res.statusCode, location: res.headers.location });
    });
    req.once('error', reject).end();
  });

  it('sends every request to the same path on HTTPS, at the HTTPS port or under an https base URL', async () => {
    const log = pino({ level: 'silent' });
    const plain = await listenRedirect('127.0.0.1', 0, 8443, undefined, log);
    const port = (plain.address() as { port: number }).port;
    try {
      expect(await get(port, `localhost:${port}`)).toEqual({ status: 308, location: 'https://localhost:8443/v2/x?y=1' });
      expect(await get(port, '[::1]')).toEqual({ status: 308, location: 'https://[::1]:8443/v2/x?y=1' });
      expect((await get(port, 'user@evil.example')).status).toBe(400);
    } finally {
      await closeServer(plain);
    }
    const based = await listenRedirect('127.0.0.1', 0, 443, 'https://registry.example', log);
    try {
      expect(await get((based.address() as { port: number }).port, 'whatever')).toEqual({ status: 308, location: 'https://registry.example/v2/x?y=1' });
    } finally {
      await closeServer(based);
    }
  });
});
