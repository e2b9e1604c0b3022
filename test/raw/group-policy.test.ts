// Raw groups (members in order, first hit wins; uploads through the writable member) and the write policies of
// hosted raw repositories (allow, allow_once, deny), with Docker's semantics and DENIED wording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { ADMIN, curl, rawConfig, rawUrl, StaticUpstream } from './helpers.js';

let t: TestWharf;
const upstream = new StaticUpstream();
const put = (repo: string, path: string, body: string) => curl(['-u', ADMIN, '-X', 'PUT', '--data-binary', body, rawUrl(t, repo, path)]);
const get = (repo: string, path: string) => curl([rawUrl(t, repo, path)]);

beforeAll(async () => {
  await upstream.start();
  t = await startWharf({
    config: rawConfig([
      { name: 'first', extra: 'storage: { blobStoreName: default, writePolicy: allow }' },
      { name: 'second', extra: 'storage: { blobStoreName: default, writePolicy: allow }' },
      { name: 'remote', type: 'proxy', extra: `proxy: { remoteUrl: "${upstream.url}" }\nhttpClient: { autoBlock: false }` },
      { name: 'all', type: 'group', extra: 'group: { memberNames: [first, second, remote], writableMember: second }' },
      { name: 'readonly-group', type: 'group', extra: 'group: { memberNames: [first, second] }' },
      { name: 'once', extra: 'storage: { blobStoreName: default, writePolicy: ALLOW_ONCE }' },
      { name: 'frozen', extra: 'storage: { blobStoreName: default, writePolicy: deny }' },
    ]),
  });
});
afterAll(async () => {
  await t?.stop();
  await upstream.stop();
});

describe('group', () => {
  it('serves the first member that has the file', async () => {
    await put('first', 'app/config.txt', 'from first');
    await put('second', 'app/config.txt', 'from second');
    await put('second', 'app/only-second.txt', 'only second');
    upstream.files.set('/app/remote.txt', Buffer.from('from the upstream'));
    upstream.files.set('/app/config.txt', Buffer.from('upstream config'));
    expect(await get('all', 'app/config.txt')).toMatchObject({ status: 200, body: 'from first' });
    expect(await get('all', 'app/only-second.txt')).toMatchObject({ status: 200, body: 'only second' });
    expect(await get('all', 'app/remote.txt')).toMatchObject({ status: 200, body: 'from the upstream' });
    expect((await get('all', 'app/nowhere.txt')).status).toBe(404);
    expect(upstream.hits.get('/app/config.txt')).toBeUndefined(); // a hit in an earlier member asks no upstream
  });

  it('takes uploads and deletes through its writable member, and refuses them without one', async () => {
    expect((await put('all', 'app/new.txt', 'via the group')).status).toBe(201);
    expect(await get('second', 'app/new.txt')).toMatchObject({ status: 200, body: 'via the group' });
    expect((await get('first', 'app/new.txt')).status).toBe(404);
    expect((await curl(['-u', ADMIN, '-X', 'DELETE', rawUrl(t, 'all', 'app/new.txt')])).status).toBe(204);
    expect((await get('second', 'app/new.txt')).status).toBe(404);
    const refused = await put('readonly-group', 'app/x.txt', 'x');
    expect(refused.status).toBe(405);
    expect(JSON.parse(refused.body).message).toMatch(/no writable member/);
  });

  it('reports a member whose upstream is down only when no member has the file', async () => {
    await upstream.stop();
    try {
      expect(await get('all', 'app/config.txt')).toMatchObject({ status: 200, body: 'from first' });
      expect((await get('all', 'app/not-cached.txt')).status).toBe(502);
    } finally {
      await upstream.start();
    }
  });
});

describe('write policies', () => {
  it('allow: a file may be replaced', async () => {
    await put('first', 'p/file.txt', 'one');
    expect((await put('first', 'p/file.txt', 'two')).status).toBe(201);
    expect((await get('first', 'p/file.txt')).body).toBe('two');
  });

  it('allow_once: refuses other content at an existing path with 403 naming the policy, accepts the same bytes again', async () => {
    expect((await put('once', 'rel/1.0/app.txt', 'release 1.0')).status).toBe(201);
    const denied = await put('once', 'rel/1.0/app.txt', 'tampered');
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).message).toBe('write policy allow_once of repository once does not allow replacing rel/1.0/app.txt with other content');
    expect((await get('once', 'rel/1.0/app.txt')).body).toBe('release 1.0');
    expect((await put('once', 'rel/1.0/app.txt', 'release 1.0')).status).toBe(201);
    expect((await curl(['-u', ADMIN, '-X', 'DELETE', rawUrl(t, 'once', 'rel/1.0/app.txt')])).status).toBe(204);
  });

  it('deny: every upload and delete is refused with 403, reads work', async () => {
    const denied = await put('frozen', 'x.txt', 'x');
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).message).toBe('repository frozen is read-only (write policy deny)');
    expect((await curl(['-u', ADMIN, '-X', 'DELETE', rawUrl(t, 'frozen', 'x.txt')])).status).toBe(403);
    const form = await curl(['-u', ADMIN, '-F', 'raw.asset1=@/etc/hostname', '-F', 'raw.asset1.filename=h.txt', `${t.url}/service/rest/v1/components?repository=frozen`]);
    expect(form.status).toBe(403);
    expect((await get('frozen', 'x.txt')).status).toBe(404);
  });
});
