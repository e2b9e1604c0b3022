// The authorization matrix: roles {admin, developer of x, reader of x, anonymous} x actions {pull, push,
// delete, browse, admin API} x repositories {x, y, group g of x and y}. Docker cells use real skopeo; every
// cell is asserted allowed or denied. A group never serves content of a member the caller cannot read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, Podman, skopeo, TempDirs, type BuiltImage } from '../helpers/images.js';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';

const dirs = new TempDirs();
let wharf: TestWharf;
let image: BuiltImage;

const USERS = {
  admin: ['admin', ADMIN_PASSWORD],
  developer: ['dev', 'dev-password-1'],
  reader: ['reader', 'reader-password-1'],
  anonymous: undefined,
} as const;
type Who = keyof typeof USERS;
const REPOS = ['x', 'y', 'g'] as const;
type Repo = (typeof REPOS)[number];
type Action = 'pull' | 'push' | 'delete' | 'browse' | 'admin';

const Y = true;
const N = false;
// Expected outcome per role, action and repository [x, y, g]. Deleting through a group is refused for
// everyone (delete in the member); pulling y's content through g needs read on y as well.
const EXPECTED: Record<Who, Record<Exclude<Action, 'admin'>, [boolean, boolean, boolean]> & { admin: boolean }> = {
  admin: { pull: [Y, Y, Y], push: [Y, Y, Y], delete: [Y, Y, N], browse: [Y, Y, Y], admin: Y },
  developer: { pull: [Y, N, Y], push: [Y, N, Y], delete: [Y, N, N], browse: [Y, N, Y], admin: N },
  reader: { pull: [Y, N, Y], push: [N, N, N], delete: [N, N, N], browse: [Y, N, Y], admin: N },
  anonymous: { pull: [N, N, N], push: [N, N, N], delete: [N, N, N], browse: [N, N, N], admin: N },
};

function creds(who: Who, flag: '--src-creds' | '--dest-creds' | '--creds'): string[] {
  const u = USERS[who];
  return u ? [flag, `${u[0]}:${u[1]}`] : ['--no-creds'];
}

function basic(who: Who): Record<string, string> {
  const u = USERS[who];
  return u ? { authorization: `Basic ${Buffer.from(`${u[0]}:${u[1]}`).toString('base64')}` } : {};
}

const admin = creds('admin', '--dest-creds');
const ok = (p: Promise<unknown>) => p.then(() => true, () => false);

// Every content change the matrix makes, as `<type> <repository> <object>`, to compare with the audit log.
const changes: string[] = [];
async function adminPush(repo: string, name: string) {
  await skopeo(['copy', '--dest-tls-verify=false', ...admin, image.ref, `docker://${wharf.host}/${repo}/${name}:1`]);
  changes.push(`push ${repo} ${name}:1`);
}

beforeAll(async () => {
  wharf = await startWharf({
    config: `
repositories:
  - { name: x, format: docker, type: hosted }
  - { name: y, format: docker, type: hosted }
  - { name: g, format: docker, type: group, group: { memberNames: [x, y], writableMember: x } }
security:
  anonymous: { enabled: false }
  roles:
    - { id: developer-x, privileges: [nx-repository-view-docker-x-*, nx-repository-view-docker-g-*] }
    - { id: reader-x, privileges: [nx-repository-view-docker-x-read, nx-repository-view-docker-g-read] }
  users:
    - { userId: dev, password: "\${DEV_PW}", roles: [developer-x] }
    - { userId: reader, password: reader-password-1, roles: [reader-x] }
`,
    env: { DEV_PW: 'dev-password-1' },
  });
  image = await buildImage(`${await dirs.make()}/layout`, 'img', { layers: [{ path: '/f', size: 20_000 }] });
  // Content only in x, only in y, and one tag per delete cell.
  await adminPush('x', 'team/app-x');
  await adminPush('y', 'team/app-y');
  for (const who of Object.keys(USERS)) {
    for (const repo of ['x', 'y']) await adminPush(repo, `team/del-${who}`);
  }
});

afterAll(async () => {
  await wharf?.stop();
  await dirs.removeAll();
});

async function act(who: Who, action: Action, repo: Repo): Promise<boolean> {
  const host = wharf.host;
  switch (action) {
    case 'pull': {
      // Through the group, pull the content that lives in x (y's content is the next test's subject).
      const name = repo === 'g' ? 'team/app-x' : `team/app-${repo}`;
      return ok(skopeo(['inspect', '--tls-verify=false', ...creds(who, '--creds'), `docker://${host}/${repo}/${name}:1`]));
    }
    case 'push': {
      const done = await ok(skopeo(['copy', '--dest-tls-verify=false', ...creds(who, '--dest-creds'), image.ref, `docker://${host}/${repo}/team/pushed-${who}:1`]));
      if (done) changes.push(`push ${repo} team/pushed-${who}:1`); // recorded for the repository addressed, with storedIn
      return done;
    }
    case 'delete': {
      const source = repo === 'g' ? 'x' : repo;
      const digest = (await skopeo(['inspect', '--tls-verify=false', ...creds('admin', '--creds'), `docker://${host}/${source}/team/del-${who}:1`])).stdout;
      const ref = `${repo}/team/del-${who}@${JSON.parse(digest).Digest}`;
      // A unique manifest per cell would be cleaner; deleting by digest removes every tag of it, so re-push after.
      const done = await ok(skopeo(['delete', '--tls-verify=false', ...creds(who, '--creds'), `docker://${host}/${ref}`]));
      if (done) {
        changes.push(`delete ${repo} team/del-${who}@${JSON.parse(digest).Digest}`);
        await adminPush(source, `team/del-${who}`);
      }
      return done;
    }
    case 'browse': {
      const res = await fetch(`${wharf.url}/v2/_catalog`, { headers: basic(who) });
      if (res.status !== 200) return false;
      const names = ((await res.json()) as { repositories: string[] }).repositories;
      return names.some((n) => n.startsWith(`${repo}/`));
    }
    case 'admin': {
      const res = await fetch(`${wharf.url}/service/rest/v1/security/users`, { headers: basic(who) });
      return res.status === 200;
    }
  }
}

describe('authorization matrix', () => {
  for (const who of Object.keys(USERS) as Who[]) {
    it(`${who}`, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const action of ['pull', 'push', 'delete', 'browse'] as const) {
        for (const [i, repo] of REPOS.entries()) {
          got.push(`${action} ${repo}: ${(await act(who, action, repo)) ? 'allowed' : 'denied'}`);
          want.push(`${action} ${repo}: ${EXPECTED[who][action][i] ? 'allowed' : 'denied'}`);
        }
      }
      got.push(`admin API: ${(await act(who, 'admin', 'x')) ? 'allowed' : 'denied'}`);
      want.push(`admin API: ${EXPECTED[who].admin ? 'allowed' : 'denied'}`);
      expect(got).toEqual(want);
    });
  }

  it('the audit log holds one record per content change and per denied login', async () => {
    const query = async (q: string) => {
      const res = await fetch(`${wharf.url}/service/rest/v1/audit?limit=1000&${q}`, { headers: basic('admin') });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { type: string; repository: string; object: string; outcome: string; userId: string; attributes: Record<string, unknown> }[] }).items;
    };
    const content = await query('domain=repository.content');
    const succeeded = content.filter((e) => e.outcome === 'success');
    expect(succeeded.map((e) => `${e.type} ${e.repository} ${e.object}`).sort()).toEqual([...changes].sort());
    expect(succeeded.filter((e) => e.repository === 'g').every((e) => e.attributes.storedIn === 'x')).toBe(true);
    // A delete through the group passes authorization for those allowed to delete in x, then the group
    // refuses it: one failure record each. Those without the privilege never reach the content: no record.
    const refused = content.filter((e) => e.outcome === 'failure');
    expect(refused.map((e) => `${e.type} ${e.repository} ${e.userId}`).sort()).toEqual(['delete g admin', 'delete g dev']);
    expect(refused.every((e) => /group/.test(String(e.attributes.reason)))).toBe(true);
    // The matrix used only good passwords: no failed login so far. Each wrong one now is one record.
    expect(await query('domain=security.login')).toEqual([]);
    for (const user of ['dev', 'reader', 'mallory']) {
      const res = await fetch(`${wharf.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`${user}:wrong-password`).toString('base64')}` } });
      expect(res.status).toBe(401);
    }
    expect((await query('domain=security.login')).map((e) => `${e.type} ${e.userId} ${e.outcome}`).sort())
      .toEqual(['login-failed dev failure', 'login-failed mallory failure', 'login-failed reader failure']);
  });

  it('a group never serves content of a member the caller cannot read', async () => {
    const pullY = (who: Who) => ok(skopeo(['inspect', '--tls-verify=false', ...creds(who, '--creds'), `docker://${wharf.host}/g/team/app-y:1`]));
    expect(await pullY('admin')).toBe(true);
    expect(await pullY('developer')).toBe(false);
    expect(await pullY('reader')).toBe(false);
    const blob = image.manifest.layers[0].digest;
    expect((await fetch(`${wharf.url}/v2/g/team/app-y/blobs/${blob}`, { headers: basic('reader') })).status).toBe(200); // also in x
    const res = await fetch(`${wharf.url}/v2/g/team/app-y/manifests/1`, { headers: basic('reader') });
    expect(res.status).toBe(404);
  });

  it('a group lists only the members the caller can read', async () => {
    const res = await fetch(`${wharf.url}/v2/g/team/app-x/tags/list`, { headers: basic('reader') });
    expect(res.status).toBe(200);
    const catalog = (await (await fetch(`${wharf.url}/v2/_catalog`, { headers: basic('reader') })).json()) as { repositories: string[] };
    expect(catalog.repositories.filter((n) => n.startsWith('g/'))).not.toContain('g/team/app-y');
    expect(catalog.repositories).toContain('g/team/app-x');
    expect(catalog.repositories.some((n) => n.startsWith('y/'))).toBe(false);
  });
});

describe('podman login, push and pull', () => {
  async function roundTrip(user: string, password: string, tag: string) {
    const podman = await Podman.create(dirs);
    await podman.run(['login', '--tls-verify=false', '-u', user, '-p', password, wharf.host]);
    const ref = `${wharf.host}/x/team/podman:${tag}`;
    await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${user}:${password}`, image.ref, `docker://${ref}`]);
    await podman.pull(ref, ['--creds', `${user}:${password}`]);
    await podman.run(['tag', ref, `${wharf.host}/x/team/podman:${tag}-again`]);
    await podman.run(['push', '--tls-verify=false', '--creds', `${user}:${password}`, `${wharf.host}/x/team/podman:${tag}-again`]);
    expect((await podman.inspect(ref)).Digest).toBe(image.digest);
  }

  it('works for a local user', async () => {
    await roundTrip('dev', 'dev-password-1', 'local');
  });

  it('works with an API token as the password, and stops working once it is revoked', async () => {
    const auth = basic('developer');
    const created = await fetch(`${wharf.url}/service/rest/v1/security/user-tokens`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci' }),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    await roundTrip('dev', token, 'token');
    expect((await fetch(`${wharf.url}/service/rest/v1/security/user-tokens/${id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    await expect(skopeo(['inspect', '--tls-verify=false', '--creds', `dev:${token}`, `docker://${wharf.host}/x/team/podman:token`])).rejects.toThrow(/unauthorized|401/i);
  });

  it('a token narrowed to read cannot push', async () => {
    const auth = basic('developer');
    const created = await fetch(`${wharf.url}/service/rest/v1/security/user-tokens`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'pull-only', privileges: ['nx-repository-view-docker-x-read'] }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    await skopeo(['inspect', '--tls-verify=false', '--creds', `dev:${token}`, `docker://${wharf.host}/x/team/app-x:1`]);
    await expect(skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `dev:${token}`, image.ref, `docker://${wharf.host}/x/team/narrow:1`]))
      .rejects.toThrow(/denied|unauthorized/i);
  });
});
