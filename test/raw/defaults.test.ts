// Out of the box (DESIGN.md 1.4): a new data directory without configuration gets raw-hosted, readable by
// anyone, writable by the admin; a configuration that declares repositories gets none of the defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { ADMIN, curl, rawConfig, rawUrl } from './helpers.js';

describe('a new data directory without configuration', () => {
  let t: TestWharf;
  beforeAll(async () => {
    t = await startWharf();
  });
  afterAll(() => t?.stop());

  it('has raw-hosted: the admin uploads, anyone downloads', async () => {
    const repo = t.running.wharf.repositories.get('raw-hosted');
    expect(repo).toMatchObject({ format: 'raw', type: 'hosted', online: true, storage: { blobStoreName: 'default', writePolicy: 'allow' } });
    expect((await curl(['-u', ADMIN, '-X', 'PUT', '--data-binary', 'hello', rawUrl(t, 'raw-hosted', 'hello.txt')])).status).toBe(201);
    expect(await curl([rawUrl(t, 'raw-hosted', 'hello.txt')])).toMatchObject({ status: 200, body: 'hello' });
    expect((await curl(['-X', 'PUT', '--data-binary', 'x', rawUrl(t, 'raw-hosted', 'anon.txt')])).status).toBe(401);
  });
});

describe('a configuration that declares repositories', () => {
  let t: TestWharf;
  beforeAll(async () => {
    t = await startWharf({ config: rawConfig([{ name: 'mine' }]) });
  });
  afterAll(() => t?.stop());

  it('gets only those', () => {
    expect(t.running.wharf.repositories.list().map((r) => r.name)).toEqual(['mine']);
  });
});
