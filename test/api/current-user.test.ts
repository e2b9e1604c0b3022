// Contract tests of /service/rest/v1/security/current-user: the caller and its permissions per administrative
// domain, for anonymous, an administrator, a user with a narrow role, and an API token narrowed further.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;
const reader = basic('reader', 'reader-pw');

beforeAll(async () => {
  wharf = await startWharf({
    config: `
security:
  roles:
    - { id: ops, privileges: [nx-tasks-read, nx-tasks-start, nx-blobstores-read] }
  users:
    - { userId: reader, password: reader-pw, firstName: Rea, lastName: Der, roles: [ops] }
`,
  });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
});

describe('GET /security/current-user', () => {
  it('answers anonymous callers with the anonymous role and no administrative permissions', async () => {
    const res = await api('/security/current-user', { auth: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: null, anonymous: true, realm: null, roles: ['nx-anonymous'], anonymousAccess: true, token: false });
    expect(res.body.permissions.users).toEqual([]);
    expect(res.body.permissions.healthcheck).toEqual(['read']); // nx-anonymous holds nx-healthcheck-read
  });

  it('gives an administrator every action of every domain', async () => {
    const res = await api('/security/current-user');
    expect(res.body).toMatchObject({ userId: 'admin', anonymous: false, realm: 'local', roles: ['nx-admin'] });
    expect(res.body.permissions.users).toEqual(['read', 'create', 'update', 'delete']);
    expect(res.body.permissions['repository-admin']).toEqual(['read', 'add', 'edit', 'delete']);
  });

  it('gives a user exactly its roles\' actions, and a token only what it was narrowed to', async () => {
    const res = await api('/security/current-user', { auth: reader });
    expect(res.body).toMatchObject({ userId: 'reader', firstName: 'Rea', lastName: 'Der', roles: ['ops'], token: false });
    expect(res.body.permissions).toMatchObject({ tasks: ['read', 'start'], blobstores: ['read'], users: [], audit: [], 'repository-admin': [] });

    const token = await api('/security/user-tokens', { method: 'POST', auth: reader, body: { name: 'narrow', privileges: ['nx-blobstores-read'] } });
    expect(token.status).toBe(201);
    const viaToken = await api('/security/current-user', { auth: `Bearer ${token.body.token}` });
    expect(viaToken.body).toMatchObject({ userId: 'reader', token: true });
    expect(viaToken.body.permissions).toMatchObject({ tasks: [], blobstores: ['read'] });
  });

  it('refuses wrong credentials with 401 and no Basic challenge for a browser client', async () => {
    const res = await api('/security/current-user', { auth: basic('reader', 'wrong'), headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.body.message).toBeTruthy();
  });
});
