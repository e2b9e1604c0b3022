// The REST API's one error writer: { message, details } with the right status for every kind of failure,
// the Basic challenge on 401, and credentials that are not accepted here (Docker registry tokens).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;

beforeAll(async () => {
  wharf = await startWharf();
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
});

describe('REST errors', () => {
  it('wrong credentials: 401 with the Basic challenge, before any handler runs', async () => {
    const res = await api('/security/users', { auth: basic('admin', 'wrong') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="wharf"');
    expect(res.body).toEqual({ message: 'invalid username or password' });
    // Also on paths that do not exist, so clients never see a 404 for bad credentials.
    expect((await api('/nothing-here', { auth: basic('admin', 'wrong') })).status).toBe(401);
    // And on the routes outside the REST plugin (status, metrics).
    const status = await fetch(`${wharf.url}/service/rest/v1/status`, { headers: { authorization: basic('admin', 'wrong') } });
    expect(status.status).toBe(401);
    expect(await status.json()).toEqual({ message: 'invalid username or password' });
  });

  it('a browser UI (X-Requested-With) gets 401 without the challenge, so no login dialog pops up', async () => {
    const res = await api('/security/users', { auth: null, headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('malformed JSON and unsupported media types keep Fastify\'s 4xx status, in the REST shape', async () => {
    const bad = await api('/security/roles', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['message']);
    const media = await api('/security/roles', { method: 'POST', body: '<role/>', headers: { 'content-type': 'application/xml' } });
    expect(media.status).toBe(415);
    expect(media.body.message).toBeTruthy();
  });

  it('an empty body with a JSON content type is no body (clients that always send the header)', async () => {
    await api('/security/roles', { method: 'POST', body: { id: 'short-lived' } });
    const res = await api('/security/roles/short-lived', { method: 'DELETE', body: '', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(204);
    const post = await api('/security/roles', { method: 'POST', body: '', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(400);
    expect(post.body.message).toMatch(/body/);
  });

  it('a Docker registry token is not a REST credential', async () => {
    const { token } = await (await fetch(`${wharf.url}/v2/token?service=wharf&scope=repository:docker-hosted/x:pull`, { headers: { authorization: adminAuth } })).json();
    expect(token).toBeTruthy();
    const res = await api('/security/users', { auth: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/Docker registry tokens/);
  });

  it('leaves other protocols\' errors alone: /v2 keeps the OCI error shape', async () => {
    const res = await fetch(`${wharf.url}/v2/no-such-repo/x/manifests/latest`, { headers: { authorization: adminAuth } });
    expect(res.status).toBe(404);
    expect((await res.json()).errors[0].code).toBeTruthy();
  });
});
