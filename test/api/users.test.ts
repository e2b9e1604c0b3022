// Contract tests of /service/rest/v1/security/users against a real server: Nexus's shapes, every success
// and error path, and the rules that keep an administrator and stop self-deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const reader = basic('reader', 'reader-pw');
const manager = basic('manager', 'manager-pw');
const plain = basic('plain', 'plain-pw');

beforeAll(async () => {
  wharf = await startWharf({
    config: `
security:
  roles:
    - { id: user-reader, privileges: [nx-users-read] }
    - { id: user-manager, privileges: [nx-users-*] }
  users:
    - { userId: reader, password: reader-pw, roles: [user-reader] }
    - { userId: manager, password: manager-pw, roles: [user-manager] }
    - { userId: plain, password: plain-pw, roles: [] }
`,
  });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
});

// The body of Nexus's documentation example for creating a user.
const NEXUS_EXAMPLE = {
  userId: 'jsmith', firstName: 'John', lastName: 'Smith', emailAddress: 'jsmith@example.com',
  password: 'secret123', status: 'active', roles: ['nx-admin'],
};

describe('GET /security/users', () => {
  it('lists users in Nexus\'s shape', async () => {
    const res = await api('/security/users');
    expect(res.status).toBe(200);
    expect(res.body.map((u: { userId: string }) => u.userId)).toEqual(['admin', 'manager', 'plain', 'reader']);
    expect(res.body[0]).toEqual({
      userId: 'admin', firstName: 'Administrator', lastName: 'User', emailAddress: 'admin@example.org',
      source: 'default', status: 'active', readOnly: false, roles: ['nx-admin'], externalRoles: [],
    });
  });

  it('filters by userId prefix and source', async () => {
    expect((await api('/security/users?userId=rea')).body.map((u: { userId: string }) => u.userId)).toEqual(['reader']);
    expect((await api('/security/users?source=default')).body).toHaveLength(4);
    expect((await api('/security/users?source=ldap')).body).toEqual([]);
  });

  it('needs nx-users-read: 401 with a Basic challenge when anonymous, 403 without the privilege', async () => {
    const anonymous = await api('/security/users', { auth: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="wharf"');
    expect(anonymous.body).toEqual({ message: 'authentication required' });
    const forbidden = await api('/security/users', { auth: plain });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/plain may not read users/);
    expect((await api('/security/users', { auth: reader })).status).toBe(200);
  });
});

describe('POST /security/users', () => {
  it('creates a user from Nexus\'s documented body and never returns the password', async () => {
    const res = await api('/security/users', { method: 'POST', body: NEXUS_EXAMPLE });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: 'jsmith', firstName: 'John', lastName: 'Smith', emailAddress: 'jsmith@example.com',
      source: 'default', status: 'active', readOnly: false, roles: ['nx-admin'], externalRoles: [],
    });
    // The new user can sign in with the password.
    expect((await api('/security/users', { auth: basic('jsmith', 'secret123') })).status).toBe(200);
  });

  it('refuses an existing user id with 409', async () => {
    const res = await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, password: 'other' } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/already exists/);
  });

  it('names the failing field of an invalid body (400)', async () => {
    const badId = await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: '-bad id' } });
    expect(badId.status).toBe(400);
    expect(badId.body.details).toEqual([expect.objectContaining({ field: 'userId', in: 'body' })]);
    const noPassword = await api('/security/users', { method: 'POST', body: { userId: 'nopw', roles: [] } });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.details).toEqual([expect.objectContaining({ field: 'password' })]);
    const badStatus = await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: 'x1', status: 'locked' } });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.details[0].field).toBe('status');
    const unknownRole = await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: 'x2', roles: ['no-such-role'] } });
    expect(unknownRole.status).toBe(400);
    expect(unknownRole.body).toEqual({ message: 'no such role: no-such-role', details: [expect.objectContaining({ field: 'roles' })] });
    const notJson = await api('/security/users', { method: 'POST', body: '{"userId":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toBeTruthy();
  });

  it('needs nx-users-create', async () => {
    expect((await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: 'x3' }, auth: reader })).status).toBe(403);
    expect((await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: 'x3' }, auth: null })).status).toBe(401);
    expect((await api('/security/users?userId=x3')).body).toEqual([]);
  });
});

describe('PUT /security/users/{userId}', () => {
  it('updates details, status and roles but not the password (204)', async () => {
    await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: 'dev', password: 'dev-pw', roles: [] } });
    const res = await api('/security/users/dev', {
      method: 'PUT',
      body: { userId: 'dev', firstName: 'Dee', lastName: 'Veloper', emailAddress: 'dev@example.com', source: 'default', status: 'active', readOnly: false, roles: ['user-reader'], externalRoles: [] },
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const [dev] = (await api('/security/users?userId=dev')).body;
    expect(dev).toMatchObject({ firstName: 'Dee', lastName: 'Veloper', emailAddress: 'dev@example.com', roles: ['user-reader'] });
    // Same password as before, and the new role applies at once.
    expect((await api('/security/users', { auth: basic('dev', 'dev-pw') })).status).toBe(200);
  });

  it('disabling a user stops their sign-in', async () => {
    expect((await api('/security/users/dev', { method: 'PUT', body: { userId: 'dev', status: 'disabled', roles: ['user-reader'] } })).status).toBe(204);
    expect((await api('/security/users', { auth: basic('dev', 'dev-pw') })).status).toBe(401);
    expect((await api('/security/users?userId=dev')).body[0].status).toBe('disabled');
    // Leaving status out keeps it.
    expect((await api('/security/users/dev', { method: 'PUT', body: { userId: 'dev', roles: [] } })).status).toBe(204);
    expect((await api('/security/users?userId=dev')).body[0].status).toBe('disabled');
  });

  it('refuses a different userId in the body (400), unknown users (404), unknown roles (400)', async () => {
    const mismatch = await api('/security/users/dev', { method: 'PUT', body: { userId: 'other', roles: [] } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details[0].field).toBe('userId');
    const missing = await api('/security/users/nobody', { method: 'PUT', body: { userId: 'nobody', roles: [] } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: 'no such user: nobody' });
    expect((await api('/security/users/dev', { method: 'PUT', body: { userId: 'dev', roles: ['nope'] } })).status).toBe(400);
    expect((await api('/security/users/dev', { method: 'PUT', body: { userId: 'dev' } })).status).toBe(400);
  });

  it('needs nx-users-update', async () => {
    expect((await api('/security/users/dev', { method: 'PUT', body: { userId: 'dev', roles: [] }, auth: reader })).status).toBe(403);
    expect((await api('/security/users/dev', { method: 'PUT', body: { userId: 'dev', roles: [] }, auth: null })).status).toBe(401);
  });
});

describe('PUT /security/users/{userId}/change-password', () => {
  it('an administrator sets anyone\'s password from a text/plain body', async () => {
    const res = await api('/security/users/jsmith/change-password', { method: 'PUT', body: 'changed-1' });
    expect(res.status).toBe(204);
    expect((await api('/security/users', { auth: basic('jsmith', 'changed-1') })).status).toBe(200);
    expect((await api('/security/users', { auth: basic('jsmith', 'secret123') })).status).toBe(401);
  });

  it('a user changes their own password without nx-users-update', async () => {
    expect((await api('/security/users/plain/change-password', { method: 'PUT', body: 'plain-pw-2', auth: plain })).status).toBe(204);
    const plain2 = basic('plain', 'plain-pw-2');
    expect((await api('/security/users/plain/change-password', { method: 'PUT', body: 'plain-pw', auth: plain2 })).status).toBe(204);
  });

  it('refuses others\' passwords without the privilege, API tokens for self-service, empty passwords, unknown users', async () => {
    expect((await api('/security/users/reader/change-password', { method: 'PUT', body: 'x', auth: plain })).status).toBe(403);
    expect((await api('/security/users/reader/change-password', { method: 'PUT', body: 'x', auth: null })).status).toBe(401);
    const token = (await api('/security/user-tokens', { method: 'POST', body: { name: 'ci' }, auth: plain })).body.token;
    expect((await api('/security/users/plain/change-password', { method: 'PUT', body: 'x', auth: basic('plain', token) })).status).toBe(403);
    const empty = await api('/security/users/plain/change-password', { method: 'PUT', body: '', auth: plain, headers: { 'content-type': 'text/plain' } });
    expect(empty.status).toBe(400);
    expect((await api('/security/users/nobody/change-password', { method: 'PUT', body: 'x' })).status).toBe(404);
  });
});

describe('DELETE /security/users/{userId}', () => {
  it('deletes a user and revokes their API tokens (204)', async () => {
    await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: 'temp', password: 'temp-pw', roles: ['user-reader'] } });
    const token = (await api('/security/user-tokens', { method: 'POST', body: { name: 'ci' }, auth: basic('temp', 'temp-pw') })).body;
    expect((await api('/security/users', { auth: `Bearer ${token.token}` })).status).toBe(200);
    expect((await api('/security/users/temp', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/security/users?userId=temp')).body).toEqual([]);
    expect((await api('/security/users', { auth: `Bearer ${token.token}` })).status).toBe(401);
    expect((await api('/security/user-tokens?userId=temp')).body).toEqual([]);
    expect((await api('/security/users/temp', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses deleting yourself (400)', async () => {
    const res = await api('/security/users/admin', { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/yourself/);
  });

  it('never removes the last active administrator (409), by deletion, demotion or disabling', async () => {
    // jsmith (nx-admin) exists: remove it first so admin is the only one.
    expect((await api('/security/users/jsmith', { method: 'DELETE', auth: manager })).status).toBe(204);
    const del = await api('/security/users/admin', { method: 'DELETE', auth: manager });
    expect(del.status).toBe(409);
    expect(del.body.message).toMatch(/last active administrator/);
    expect((await api('/security/users/admin', { method: 'PUT', body: { userId: 'admin', roles: ['user-reader'] }, auth: manager })).status).toBe(409);
    expect((await api('/security/users/admin', { method: 'PUT', body: { userId: 'admin', status: 'disabled', roles: ['nx-admin'] }, auth: manager })).status).toBe(409);
    // With a second administrator, one of them may go.
    await api('/security/users', { method: 'POST', body: { ...NEXUS_EXAMPLE, userId: 'admin2' } });
    expect((await api('/security/users/admin2', { method: 'PUT', body: { userId: 'admin2', roles: [] }, auth: manager })).status).toBe(204);
    expect((await api('/security/users', { auth: basic('admin', ADMIN_PASSWORD) })).status).toBe(200);
  });

  it('needs nx-users-delete', async () => {
    expect((await api('/security/users/plain', { method: 'DELETE', auth: reader })).status).toBe(403);
    expect((await api('/security/users/plain', { method: 'DELETE', auth: null })).status).toBe(401);
  });
});
