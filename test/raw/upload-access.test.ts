// The component upload (REST POST /components?repository=, multipart with raw.directory, raw.assetN and
// raw.assetN.filename, as Nexus) driven by curl -F, and raw privileges: anonymous read works by default,
// anonymous writes are challenged, a reader cannot upload, a deployer can upload but not delete.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { ADMIN, curl, rawConfig, rawUrl, run } from './helpers.js';

let t: TestWharf;
let dir: string;
const components = () => `${t.url}/service/rest/v1/components?repository=`;
const READER = 'reader:reader-pw';
const DEPLOYER = 'deployer:deployer-pw';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-raw-upload-'));
  writeFileSync(join(dir, 'index.html'), '<h1>docs</h1>');
  writeFileSync(join(dir, 'site.css'), 'h1 { color: red }');
  const security = `security:
  roles:
    - { id: raw-reader, privileges: [nx-repository-view-raw-files-read] }
    - { id: raw-deployer, privileges: [nx-repository-view-raw-files-read, nx-repository-view-raw-files-add] }
  users:
    - { userId: reader, password: reader-pw, roles: [raw-reader] }
    - { userId: deployer, password: deployer-pw, roles: [raw-deployer] }
`;
  t = await startWharf({
    config: `${rawConfig([{ name: 'files' }, { name: 'remote', type: 'proxy', extra: 'proxy: { remoteUrl: "http://127.0.0.1:9" }' }])}`
      + '  - { name: images, format: docker, type: hosted }\n' + security,
  });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /components (raw)', () => {
  it('stores every asset of the form below raw.directory', async () => {
    const res = await curl(['-u', ADMIN, '-F', 'raw.directory=/site/2.0', '-F', `raw.asset1=@${join(dir, 'index.html')}`,
      '-F', 'raw.asset1.filename=index.html', '-F', `raw.asset2=@${join(dir, 'site.css')}`, '-F', 'raw.asset2.filename=css/site.css',
      `${components()}files`]);
    expect(res.status).toBe(204);
    expect(await curl([rawUrl(t, 'files', 'site/2.0/')])).toMatchObject({ status: 200, body: '<h1>docs</h1>' });
    expect(await curl([rawUrl(t, 'files', 'site/2.0/css/site.css')])).toMatchObject({ status: 200, body: 'h1 { color: red }' });
  });

  it('uses the part\'s own file name when raw.assetN.filename is absent, and the root without raw.directory', async () => {
    expect((await curl(['-u', ADMIN, '-F', `raw.asset1=@${join(dir, 'site.css')}`, `${components()}files`])).status).toBe(204);
    expect((await curl([rawUrl(t, 'files', 'site.css')])).status).toBe(200);
  });

  it('refuses a bad form with 400 and stores none of it', async () => {
    const cases: [string[], RegExp][] = [
      [['-F', `raw.asset1=@${join(dir, 'index.html')}`, '-F', 'raw.asset1.filename=../../escape.html'], /invalid path/],
      [['-F', 'raw.directory=../up', '-F', `raw.asset1=@${join(dir, 'index.html')}`], /invalid path/],
      [['-F', `raw.asset1=@${join(dir, 'index.html')}`, '-F', 'raw.asset1.filename=a\\b.html'], /backslash/],
      [['-F', `raw.asset1=@${join(dir, 'index.html')}`, '-F', 'raw.asset1.filename=ok.html', '-F', `raw.asset2=@${join(dir, 'site.css')}`, '-F', 'raw.asset2.filename=/abs.css'], /invalid path/],
      [['-F', 'raw.directory=x'], /no file/],
      [['-F', `maven2.asset1=@${join(dir, 'index.html')}`], /unknown file field/],
      [['-F', `raw.asset1=@${join(dir, 'index.html')}`, '-F', 'raw.asset3.filename=x'], /raw\.asset3\.filename has no file/],
    ];
    for (const [args, message] of cases) {
      const res = await curl(['-u', ADMIN, ...args, `${components()}files`]);
      expect(res.status, args.join(' ')).toBe(400);
      expect(JSON.parse(res.body).message).toMatch(message);
    }
    expect((await curl([rawUrl(t, 'files', 'ok.html')])).status).toBe(404);
  });

  it('answers 404 for an unknown repository and 400 for repositories that take no uploads', async () => {
    const form = ['-F', `raw.asset1=@${join(dir, 'index.html')}`];
    expect((await curl(['-u', ADMIN, ...form, `${components()}nothing`])).status).toBe(404);
    const proxy = await curl(['-u', ADMIN, ...form, `${components()}remote`]);
    expect(proxy.status).toBe(400);
    expect(JSON.parse(proxy.body).message).toMatch(/proxy repository is unsupported/);
    expect((await curl(['-u', ADMIN, ...form, `${components()}images`])).status).toBe(400);
  });
});

describe('privileges', () => {
  it('lets anyone read by default, and challenges anonymous writes', async () => {
    expect((await curl([rawUrl(t, 'files', 'site.css')])).status).toBe(200);
    const put = await curl(['-i', '-X', 'PUT', '--data-binary', 'x', rawUrl(t, 'files', 'anon.txt')]);
    expect(put.status).toBe(401);
    expect(put.body).toMatch(/www-authenticate: Basic realm="wharf"/i);
    expect((await curl(['-X', 'DELETE', rawUrl(t, 'files', 'site.css')])).status).toBe(401);
  });

  it('lets a reader read but not upload, by PUT or by form', async () => {
    expect((await curl(['-u', READER, rawUrl(t, 'files', 'site.css')])).status).toBe(200);
    const put = await curl(['-u', READER, '-X', 'PUT', '--data-binary', 'x', rawUrl(t, 'files', 'reader.txt')]);
    expect(put.status).toBe(403);
    expect(JSON.parse(put.body).message).toBe('user reader may not add in files');
    expect((await curl(['-u', READER, '-F', `raw.asset1=@${join(dir, 'index.html')}`, `${components()}files`])).status).toBe(403);
    const wget = await run('wget', ['-q', '-O', '-', '--user=reader', '--password=reader-pw', '--method=PUT', '--body-data=x', rawUrl(t, 'files', 'reader.txt')]);
    expect(wget.code).toBe(8);
    expect((await curl([rawUrl(t, 'files', 'reader.txt')])).status).toBe(404);
  });

  it('lets a deployer upload but not delete', async () => {
    expect((await curl(['-u', DEPLOYER, '-X', 'PUT', '--data-binary', 'x', rawUrl(t, 'files', 'deployed.txt')])).status).toBe(201);
    expect((await curl(['-u', DEPLOYER, '-X', 'DELETE', rawUrl(t, 'files', 'deployed.txt')])).status).toBe(403);
  });
});
