// Contract tests of /service/rest/v1/security/user-tokens: API tokens for CI. A token works as a Basic
// password (user:token) and as a Bearer token, may only narrow its user's privileges, and stops working
// when revoked or expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const plain = basic('plain', 'plain-pw');

beforeAll(async () => {
  wharf = await startWharf({ config: 'security:\n  users:\n    - { userId: plain, password: plain-pw, roles: [] }\n' });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
});

const create = (body: unknown, auth?: string | null) => api('/security/user-tokens', { method: 'POST', body, auth });

describe('admin token as credentials', () => {
  it('works as a Basic password and as a Bearer token; a revoked token gets 401', async () => {
    const res = await create({ name: 'ci-admin' });
    expect(res.status).toBe(201);
    const { token, id } = res.body;
    expect(token).toMatch(/^wharf_[0-9a-f-]{36}_/);
    const asBasic = await api('/security/users', { auth: basic('admin', token) });
    expect(asBasic.status).toBe(200);
    expect(asBasic.body.map((u: { userId: string }) => u.userId)).toContain('admin');
    expect((await api('/security/users', { auth: `Bearer ${token}` })).status).toBe(200);
    // The token belongs to admin: with another user name it is wrong.
    expect((await api('/security/users', { auth: basic('plain', token) })).status).toBe(401);

    expect((await api(`/security/user-tokens/${id}`, { method: 'DELETE' })).status).toBe(204);
    const revokedBasic = await api('/security/users', { auth: basic('admin', token) });
    expect(revokedBasic.status).toBe(401);
    expect(revokedBasic.headers.get('www-authenticate')).toBe('Basic realm="wharf"');
    expect((await api('/security/users', { auth: `Bearer ${token}` })).status).toBe(401);
    expect((await api(`/security/user-tokens/${id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('POST /security/user-tokens', () => {
  it('returns the token once, in the documented shape', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await create({ name: 'ci-push', privileges: ['nx-repository-view-docker-docker-hosted-*'], expiresAt });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String), name: 'ci-push', userId: 'admin', privileges: ['nx-repository-view-docker-docker-hosted-*'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), expiresAt, lastUsedAt: null, token: expect.stringMatching(/^wharf_/),
    });
    const listed = (await api('/security/user-tokens')).body.find((t: { id: string }) => t.id === res.body.id);
    const { token: _secret, ...withoutToken } = res.body;
    expect(listed).toEqual(withoutToken);
  });

  it('a narrowed token can do only what it lists', async () => {
    const { token } = (await create({ name: 'read-users', privileges: ['nx-users-read'] })).body;
    const auth = `Bearer ${token}`;
    expect((await api('/security/users', { auth })).status).toBe(200);
    expect((await api('/security/roles', { auth })).status).toBe(403);
    expect((await api('/security/users', { method: 'POST', body: { userId: 'x', password: 'x' }, auth })).status).toBe(403);
    // Tokens made with it cannot widen it: [] means "all of mine", which is then only nx-users-read.
    expect((await create({ name: 'wider', privileges: ['nx-users-delete'] }, auth)).status).toBe(400);
    const child = await create({ name: 'child' }, auth);
    expect(child.status).toBe(201);
    expect(child.body.privileges).toEqual(['nx-users-read']);
  });

  it('refuses privileges the user does not hold, unknown names, past or invalid expiry, a missing name (400)', async () => {
    const notHeld = await create({ name: 'x', privileges: ['nx-users-read'] }, plain);
    expect(notHeld.status).toBe(400);
    expect(notHeld.body).toEqual({ message: 'not privileges you hold: nx-users-read', details: [expect.objectContaining({ field: 'privileges' })] });
    expect((await create({ name: 'x', privileges: ['not-a-privilege'] })).status).toBe(400);
    const past = await create({ name: 'x', expiresAt: '2000-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.details[0].field).toBe('expiresAt');
    const invalid = await create({ name: 'x', expiresAt: 'tomorrow' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details[0].field).toBe('expiresAt');
    const noName = await create({ privileges: [] });
    expect(noName.status).toBe(400);
    expect(noName.body.details[0].field).toBe('name');
  });

  it('an expired token gets 401', async () => {
    const { token } = (await create({ name: 'short', expiresAt: new Date(Date.now() + 1500).toISOString() })).body;
    expect((await api('/security/users', { auth: `Bearer ${token}` })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    expect((await api('/security/users', { auth: `Bearer ${token}` })).status).toBe(401);
  });
});

describe('own tokens and others\'', () => {
  it('any signed-in user manages their own tokens; anonymous gets 401', async () => {
    const mine = await create({ name: 'plain-ci' }, plain);
    expect(mine.status).toBe(201);
    expect(mine.body.userId).toBe('plain');
    expect((await api('/security/user-tokens', { auth: plain })).body.map((t: { name: string }) => t.name)).toEqual(['plain-ci']);
    // A token of a user without privileges authenticates, and is then refused what the user may not do.
    expect((await api('/security/users', { auth: basic('plain', mine.body.token) })).status).toBe(403);
    expect((await api('/security/user-tokens', { auth: basic('plain', mine.body.token) })).status).toBe(200);

    expect((await api('/security/user-tokens', { auth: null })).status).toBe(401);
    expect((await create({ name: 'x' }, null)).status).toBe(401);
    expect((await api(`/security/user-tokens/${mine.body.id}`, { method: 'DELETE', auth: null })).status).toBe(401);
  });

  it('others\' tokens: listed with nx-users-read, revoked with nx-users-delete, invisible otherwise', async () => {
    const adminTokens = (await api('/security/user-tokens')).body;
    expect(adminTokens.length).toBeGreaterThan(0);
    expect((await api('/security/user-tokens?userId=admin', { auth: plain })).status).toBe(403);
    expect((await api(`/security/user-tokens/${adminTokens[0].id}`, { method: 'DELETE', auth: plain })).status).toBe(404);

    const plainTokens = (await api('/security/user-tokens?userId=plain')).body;
    expect(plainTokens.map((t: { name: string }) => t.name)).toEqual(['plain-ci']);
    expect((await api(`/security/user-tokens/${plainTokens[0].id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api('/security/user-tokens', { auth: plain })).body).toEqual([]);
  });
});
