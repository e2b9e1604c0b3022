// Hosted raw repositories with real clients: curl and wget upload, download and delete; HEAD, Range, ETag /
// If-None-Match, Last-Modified / If-Modified-Since; content types from the name, strict content-type
// validation, Content-Disposition; a file larger than any buffer streamed through; and the shared
// component/asset model.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { ADMIN, curl, rawConfig, rawUrl, run } from './helpers.js';

let t: TestWharf;
let dir: string;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-raw-'));
  t = await startWharf({
    config: rawConfig([
      { name: 'files', extra: 'storage: { blobStoreName: default, strictContentTypeValidation: true }' },
      { name: 'loose', extra: 'storage: { blobStoreName: default, strictContentTypeValidation: false }\nraw: { contentDisposition: inline }' },
    ]),
  });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('curl', () => {
  it('uploads, downloads and deletes a file', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'release notes\n');
    const put = await curl(['-u', ADMIN, '--upload-file', file, rawUrl(t, 'files', 'docs/1.0/notes.txt')]);
    expect(put.status).toBe(201);
    const get = await curl([rawUrl(t, 'files', 'docs/1.0/notes.txt')]);
    expect(get).toMatchObject({ status: 200, body: 'release notes\n' });
    const del = await curl(['-u', ADMIN, '-X', 'DELETE', rawUrl(t, 'files', 'docs/1.0/notes.txt')]);
    expect(del.status).toBe(204);
    expect((await curl([rawUrl(t, 'files', 'docs/1.0/notes.txt')])).status).toBe(404);
    expect((await curl(['-u', ADMIN, '-X', 'DELETE', rawUrl(t, 'files', 'docs/1.0/notes.txt')])).status).toBe(404);
  });

  it('streams a 40 MB file both ways unchanged, and serves a range of it', async () => {
    const bytes = randomBytes(40 * 1024 * 1024);
    const file = join(dir, 'big.bin');
    writeFileSync(file, bytes);
    expect((await curl(['-u', ADMIN, '-T', file, rawUrl(t, 'files', 'installers/big.bin')])).status).toBe(201);
    const out = join(dir, 'big.out');
    expect((await curl(['-o', out, rawUrl(t, 'files', 'installers/big.bin')])).status).toBe(200);
    expect(sha256(readFileSync(out))).toBe(sha256(bytes));
    const part = join(dir, 'big.part');
    expect((await curl(['-r', '1000-1999', '-o', part, rawUrl(t, 'files', 'installers/big.bin')])).status).toBe(206);
    expect(readFileSync(part).equals(bytes.subarray(1000, 2000))).toBe(true);
  });
});

describe('wget', () => {
  it('uploads with --method=PUT, downloads, and deletes', async () => {
    const file = join(dir, 'tool.sh');
    writeFileSync(file, '#!/bin/sh\necho hello\n');
    const put = await run('wget', ['-q', '-O', '-', '--user=admin', `--password=${ADMIN.split(':')[1]}`, '--method=PUT', `--body-file=${file}`, rawUrl(t, 'files', 'bin/tool.sh')]);
    expect(put.code).toBe(0);
    const get = await run('wget', ['-q', '-O', '-', rawUrl(t, 'files', 'bin/tool.sh')]);
    expect(get).toMatchObject({ code: 0, stdout: '#!/bin/sh\necho hello\n' });
    const del = await run('wget', ['-q', '-O', '-', '--user=admin', `--password=${ADMIN.split(':')[1]}`, '--method=DELETE', rawUrl(t, 'files', 'bin/tool.sh')]);
    expect(del.code).toBe(0);
    const gone = await run('wget', ['-q', '-O', '-', rawUrl(t, 'files', 'bin/tool.sh')]);
    expect(gone.code).toBe(8); // wget: "server issued an error response"
  });

  it('resumes an interrupted download with -c (a Range request)', async () => {
    const bytes = randomBytes(300_000);
    writeFileSync(join(dir, 'resume.bin'), bytes);
    await curl(['-u', ADMIN, '-T', join(dir, 'resume.bin'), rawUrl(t, 'files', 'resume.bin')]);
    const partial = join(dir, 'resume.partial');
    writeFileSync(partial, bytes.subarray(0, 123_456));
    expect((await run('wget', ['-q', '-c', '-O', partial, rawUrl(t, 'files', 'resume.bin')])).code).toBe(0);
    expect(readFileSync(partial).equals(bytes)).toBe(true);
  });
});

describe('HTTP semantics', () => {
  const url = () => rawUrl(t, 'files', 'http/page.html');
  beforeAll(async () => {
    const res = await fetch(url(), { method: 'PUT', body: '<html><body>hi</body></html>', headers: { authorization: `Basic ${Buffer.from(ADMIN).toString('base64')}` } });
    expect(res.status).toBe(201);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await fetch(url(), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('28');
    expect(head.headers.get('content-type')).toMatch(/^text\/html/);
    expect(head.headers.get('etag')).toBe(`"${sha256(Buffer.from('<html><body>hi</body></html>'))}"`);
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(head.headers.get('last-modified')).toBeTruthy();
    expect(await head.text()).toBe('');
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since, 200 otherwise', async () => {
    const first = await fetch(url());
    const etag = first.headers.get('etag')!;
    expect((await fetch(url(), { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(url(), { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);
    expect((await fetch(url(), { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    expect((await fetch(url(), { headers: { 'if-modified-since': first.headers.get('last-modified')! } })).status).toBe(304);
    expect((await fetch(url(), { headers: { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' } })).status).toBe(200);
  });

  it('serves suffix and open ranges, and 416 for an unsatisfiable one', async () => {
    const suffix = await fetch(url(), { headers: { range: 'bytes=-7' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe('bytes 21-27/28');
    expect(await suffix.text()).toBe('</html>');
    const bad = await fetch(url(), { headers: { range: 'bytes=500-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */28');
  });

  it('sends Content-Disposition attachment by default and inline when configured', async () => {
    expect((await fetch(url(), { method: 'HEAD' })).headers.get('content-disposition')).toBe('attachment; filename="page.html"');
    await fetch(rawUrl(t, 'loose', 'page.html'), { method: 'PUT', body: '<p>x</p>', headers: { authorization: `Basic ${Buffer.from(ADMIN).toString('base64')}` } });
    expect((await fetch(rawUrl(t, 'loose', 'page.html'), { method: 'HEAD' })).headers.get('content-disposition')).toBe('inline');
  });

  it('serves a directory\'s index.html, and redirects the directory named without its slash', async () => {
    await fetch(rawUrl(t, 'files', 'http/index.html'), { method: 'PUT', body: '<h1>index</h1>', headers: { authorization: `Basic ${Buffer.from(ADMIN).toString('base64')}` } });
    const dirRes = await fetch(rawUrl(t, 'files', 'http/'));
    expect(dirRes.status).toBe(200);
    expect(await dirRes.text()).toBe('<h1>index</h1>');
    const bare = await fetch(rawUrl(t, 'files', 'http'), { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/repository/files/http/');
    const missing = await fetch(rawUrl(t, 'files', 'nothing/'));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toMatch(/index\.html/);
  });
});

describe('content types', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);

  it('come from the file name', async () => {
    for (const [name, type] of [['a.css', 'text/css'], ['a.json', 'application/json'], ['a.svg', 'image/svg+xml'], ['logo.png', 'image/png'], ['noext', 'text/plain']] as const) {
      const body = name === 'logo.png' ? png : Buffer.from('{"x":1}');
      expect((await curl(['-u', ADMIN, '-T', writeTemp(name, body), rawUrl(t, 'files', `types/${name}`)])).status).toBe(201);
      expect((await fetch(rawUrl(t, 'files', `types/${name}`), { method: 'HEAD' })).headers.get('content-type')).toMatch(new RegExp(`^${type.replace('+', '\\+')}`));
    }
  });

  it('are checked against the bytes with strictContentTypeValidation, in Nexus\'s words', async () => {
    const res = await curl(['-u', ADMIN, '-T', writeTemp('fake.html', png), rawUrl(t, 'files', 'types/fake.html')]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toBe('Detected content type [image/png], but expected [text/html]: types/fake.html');
    const text = await curl(['-u', ADMIN, '-T', writeTemp('fake.zip', Buffer.from('just text')), rawUrl(t, 'files', 'types/fake.zip')]);
    expect(text.status).toBe(400);
    expect((await curl([rawUrl(t, 'files', 'types/fake.html')])).status).toBe(404);
    // Without the setting the same upload is taken as named.
    expect((await curl(['-u', ADMIN, '-T', writeTemp('fake2.html', png), rawUrl(t, 'loose', 'fake.html')])).status).toBe(201);
  });
});

describe('the shared model', () => {
  it('records one component and one asset per file, and removes both on delete', async () => {
    await curl(['-u', ADMIN, '-T', writeTemp('m.txt', Buffer.from('model')), rawUrl(t, 'files', 'model/v1/m.txt')]);
    const db = t.running.wharf.db;
    const asset = await db.selectFrom('assets').selectAll().where('repository', '=', 'files').where('path', '=', 'model/v1/m.txt').executeTakeFirstOrThrow();
    expect(asset).toMatchObject({ kind: 'raw.file', name: 'model/v1/m.txt', size: 5, sha256: sha256(Buffer.from('model')), content_type: 'text/plain' });
    const component = await db.selectFrom('components').selectAll().where('id', '=', asset.component_id!).executeTakeFirstOrThrow();
    expect(component).toMatchObject({ repository: 'files', namespace: '/model/v1', name: 'model/v1/m.txt', version: '' });
    await curl(['-u', ADMIN, '-X', 'DELETE', rawUrl(t, 'files', 'model/v1/m.txt')]);
    expect(await db.selectFrom('components').select('id').where('id', '=', component.id).executeTakeFirst()).toBeUndefined();
  });

  it('audits uploads and deletes with the user and path', async () => {
    await t.running.wharf.audit.flush();
    const rows = await t.running.wharf.db.selectFrom('audit_events').selectAll()
      .where('domain', '=', 'repository.content').where('repository', '=', 'files').where('object', '=', 'model/v1/m.txt').execute();
    expect(rows.map((r) => `${r.user_id}:${r.type}:${r.outcome}`)).toEqual(['admin:push:success', 'admin:delete:success']);
  });
});

let temps = 0;
function writeTemp(name: string, body: Buffer): string {
  const file = join(dir, `${temps++}-${name}`);
  writeFileSync(file, body);
  return file;
}
