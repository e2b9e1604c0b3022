// Contract tests of /service/rest/v1/security/privileges: every privilege that exists, in Nexus's shape,
// per repository and with wildcards; each listed name is one the authorizer understands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrivilege } from '../../src/security/privileges.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { basic, restClient } from './client.js';

let wharf: TestWharf;
let api: ReturnType<typeof restClient>;

beforeAll(async () => {
  wharf = await startWharf({
    config: `
repositories:
  - { name: team-images, format: docker, type: hosted }
security:
  roles:
    - { id: privilege-reader, privileges: [nx-privileges-read] }
  users:
    - { userId: pr, password: pr-pw, roles: [privilege-reader] }
    - { userId: plain, password: plain-pw, roles: [] }
`,
  });
  api = restClient(wharf);
});

afterAll(async () => {
  await wharf?.stop();
});

type Privilege = { type: string; name: string; description: string; readOnly: boolean; format?: string; repository?: string; actions?: string[]; domain?: string; pattern?: string };

describe('GET /security/privileges', () => {
  it('lists nx-all, domain privileges and per-repository privileges with wildcards', async () => {
    const res = await api('/security/privileges');
    expect(res.status).toBe(200);
    const list = res.body as Privilege[];
    const byName = new Map(list.map((p) => [p.name, p]));
    expect(byName.size).toBe(list.length); // names are unique
    expect(byName.get('nx-all')).toEqual({ type: 'wildcard', name: 'nx-all', description: 'All permissions', readOnly: true, pattern: 'nexus:*' });
    expect(byName.get('nx-users-read')).toEqual({ type: 'application', name: 'nx-users-read', description: 'Read permission for Users', readOnly: true, domain: 'users', actions: ['READ'] });
    for (const name of ['nx-users-create', 'nx-users-update', 'nx-users-delete', 'nx-users-*', 'nx-roles-*', 'nx-privileges-read', 'nx-settings-update']) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(byName.get('nx-repository-view-docker-team-images-read')).toMatchObject({
      type: 'repository-view', readOnly: true, format: 'docker', repository: 'team-images', actions: ['READ'],
    });
    for (const action of ['browse', 'read', 'add', 'edit', 'delete']) expect(byName.has(`nx-repository-view-docker-team-images-${action}`)).toBe(true);
    expect(byName.get('nx-repository-view-docker-team-images-*')?.actions).toEqual(['ALL']);
    expect(byName.get('nx-repository-admin-docker-team-images-*')).toMatchObject({ type: 'repository-admin', repository: 'team-images' });
    expect(byName.get('nx-repository-view-*-*-*')).toMatchObject({ format: '*', repository: '*', actions: ['ALL'] });
    expect(byName.get('nx-repository-view-docker-*-read')).toMatchObject({ format: 'docker', repository: '*' });
    for (const p of list) expect(parsePrivilege(p.name), p.name).toBeDefined();
  });

  it('gets one privilege by name, 404 for unknown names', async () => {
    expect((await api('/security/privileges/nx-roles-delete')).body).toMatchObject({ type: 'application', domain: 'roles', actions: ['DELETE'] });
    const missing = await api('/security/privileges/nx-nothing-read');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: 'no such privilege: nx-nothing-read' });
  });

  it('needs nx-privileges-read', async () => {
    expect((await api('/security/privileges', { auth: basic('pr', 'pr-pw') })).status).toBe(200);
    expect((await api('/security/privileges', { auth: basic('plain', 'plain-pw') })).status).toBe(403);
    expect((await api('/security/privileges/nx-all', { auth: basic('plain', 'plain-pw') })).status).toBe(403);
    expect((await api('/security/privileges', { auth: null })).status).toBe(401);
  });
});
