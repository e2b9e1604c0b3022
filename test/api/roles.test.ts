// Contract tests of /service/rest/v1/security/roles: Nexus's shape, read-only built-ins, validation of
// privileges and contained roles, privileges nx-roles-*, and that a role made here takes effect at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const roleReader = basic('rr', 'rr-pw');

beforeAll(async () => {
  wharf = await startWharf({
    config: `
security:
  roles:
    - { id: role-reader, privileges: [nx-roles-read] }
  users:
    - { userId: rr, password: rr-pw, roles: [role-reader] }
    - { userId: later, password: later-pw, roles: [] }
`,
  });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
});

const ROLE = { id: 'platform-dev', name: 'Platform developers', description: 'Push to docker-hosted', privileges: ['nx-repository-view-docker-docker-hosted-*'], roles: ['role-reader'] };

describe('roles', () => {
  it('lists roles, built-ins read-only', async () => {
    const res = await api('/security/roles');
    expect(res.status).toBe(200);
    const admin = res.body.find((r: { id: string }) => r.id === 'nx-admin');
    expect(admin).toEqual({ id: 'nx-admin', name: 'nx-admin', description: 'Administrator Role', privileges: ['nx-all'], roles: [], source: 'default', readOnly: true });
    expect(res.body.find((r: { id: string }) => r.id === 'role-reader')).toMatchObject({ readOnly: false, privileges: ['nx-roles-read'] });
    expect((await api('/security/roles?source=other')).body).toEqual([]);
  });

  it('creates a role (200) and gets it by id', async () => {
    const res = await api('/security/roles', { method: 'POST', body: ROLE });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...ROLE, source: 'default', readOnly: false });
    expect((await api('/security/roles/platform-dev')).body).toEqual(res.body);
  });

  it('fills name, description and lists when left out', async () => {
    const res = await api('/security/roles', { method: 'POST', body: { id: 'minimal' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'minimal', name: 'minimal', description: '', privileges: [], roles: [], source: 'default', readOnly: false });
  });

  it('refuses duplicates (409), invalid ids, unknown privileges and roles, self-containment (400)', async () => {
    expect((await api('/security/roles', { method: 'POST', body: ROLE })).status).toBe(409);
    const badId = await api('/security/roles', { method: 'POST', body: { ...ROLE, id: 'bad id!' } });
    expect(badId.status).toBe(400);
    expect(badId.body.details[0].field).toBe('id');
    const badPrivilege = await api('/security/roles', { method: 'POST', body: { ...ROLE, id: 'r1', privileges: ['read-everything'] } });
    expect(badPrivilege.status).toBe(400);
    expect(badPrivilege.body).toEqual({ message: 'not a privilege: read-everything', details: [expect.objectContaining({ field: 'privileges' })] });
    const badRole = await api('/security/roles', { method: 'POST', body: { ...ROLE, id: 'r2', roles: ['no-such-role'] } });
    expect(badRole.status).toBe(400);
    expect(badRole.body.details[0].field).toBe('roles');
    expect((await api('/security/roles', { method: 'POST', body: { ...ROLE, id: 'r3', roles: ['r3'] } })).status).toBe(400);
    expect((await api('/security/roles', { method: 'POST', body: { ...ROLE, id: 'r4', privileges: { all: true } } })).status).toBe(400);
  });

  it('a role created here takes effect for the users given it', async () => {
    expect((await api('/security/users', { auth: basic('later', 'later-pw') })).status).toBe(403);
    expect((await api('/security/roles', { method: 'POST', body: { id: 'to-be-made', privileges: ['nx-users-read'] } })).status).toBe(200);
    expect((await api('/security/users/later', { method: 'PUT', body: { userId: 'later', roles: ['to-be-made'] } })).status).toBe(204);
    expect((await api('/security/users', { auth: basic('later', 'later-pw') })).status).toBe(200);
  });

  it('updates a role (204)', async () => {
    const res = await api('/security/roles/platform-dev', { method: 'PUT', body: { ...ROLE, description: 'Changed', roles: [] } });
    expect(res.status).toBe(204);
    expect((await api('/security/roles/platform-dev')).body).toMatchObject({ description: 'Changed', roles: [] });
  });

  it('refuses to change or delete a built-in role (400)', async () => {
    const put = await api('/security/roles/nx-admin', { method: 'PUT', body: { id: 'nx-admin', privileges: [] } });
    expect(put.status).toBe(400);
    expect(put.body.message).toMatch(/built in/);
    expect((await api('/security/roles/nx-anonymous', { method: 'DELETE' })).status).toBe(400);
    expect((await api('/security/roles/nx-admin')).body.privileges).toEqual(['nx-all']);
  });

  it('refuses a different id in the body (400) and unknown roles (404)', async () => {
    const mismatch = await api('/security/roles/platform-dev', { method: 'PUT', body: { ...ROLE, id: 'other' } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details[0].field).toBe('id');
    expect((await api('/security/roles/nope', { method: 'PUT', body: { ...ROLE, id: 'nope' } })).status).toBe(404);
    expect((await api('/security/roles/nope')).status).toBe(404);
    expect((await api('/security/roles/nope', { method: 'DELETE' })).status).toBe(404);
  });

  it('deletes a role (204)', async () => {
    expect((await api('/security/roles/minimal', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/security/roles/minimal')).status).toBe(404);
  });

  it('needs nx-roles-read to read and nx-roles-create/update/delete to change', async () => {
    expect((await api('/security/roles', { auth: roleReader })).status).toBe(200);
    expect((await api('/security/roles/platform-dev', { auth: roleReader })).status).toBe(200);
    expect((await api('/security/roles', { method: 'POST', body: { id: 'x' }, auth: roleReader })).status).toBe(403);
    expect((await api('/security/roles/platform-dev', { method: 'PUT', body: ROLE, auth: roleReader })).status).toBe(403);
    expect((await api('/security/roles/platform-dev', { method: 'DELETE', auth: roleReader })).status).toBe(403);
    const anonymous = await api('/security/roles', { auth: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="wharf"');
    expect((await api('/security/roles/platform-dev', { method: 'DELETE', auth: null })).status).toBe(401);
  });
});
