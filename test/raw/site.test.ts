// A static site published to a raw repository with `curl --upload-file` and fetched back with
// `wget --mirror`: the mirror equals the source, file by file (HTML, CSS, an image, a nested page).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { ADMIN, curl, rawConfig, rawUrl, run } from './helpers.js';

let t: TestWharf;
let dir: string;

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2048)]);
const SITE: Record<string, string | Buffer> = {
  'index.html': '<!doctype html><html><head><link rel="stylesheet" href="css/site.css"></head>'
    + '<body><img src="img/logo.png"><a href="guide/">Guide</a></body></html>',
  'css/site.css': 'body { font-family: sans-serif; background: url("../img/logo.png"); }\n',
  'img/logo.png': PNG,
  'guide/index.html': '<!doctype html><html><body><a href="../index.html">Home</a><a href="install.html">Install</a></body></html>',
  'guide/install.html': '<!doctype html><html><body><p>npm ci &amp;&amp; npm start</p></body></html>',
};

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(root, f)).isFile()).sort();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-site-'));
  t = await startWharf({ config: rawConfig([{ name: 'docs', extra: 'raw: { contentDisposition: INLINE }\nstorage: { blobStoreName: default, strictContentTypeValidation: true }' }]) });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('publishes a site with curl --upload-file and mirrors it back with wget --mirror, unchanged', async () => {
  const source = join(dir, 'source');
  for (const [path, content] of Object.entries(SITE)) {
    mkdirSync(dirname(join(source, path)), { recursive: true });
    writeFileSync(join(source, path), content);
  }
  for (const path of files(source)) {
    const res = await curl(['-u', ADMIN, '--upload-file', path, rawUrl(t, 'docs', `site/1.0/${path}`)], { cwd: source });
    expect(res.status, path).toBe(201);
  }
  const mirror = join(dir, 'mirror');
  const wget = await run('wget', ['--mirror', '--no-parent', '--no-host-directories', '--cut-dirs=4', '-P', mirror, '-q', rawUrl(t, 'docs', 'site/1.0/')]);
  expect(wget.code, wget.stderr).toBe(0);
  expect(files(mirror)).toEqual(files(source));
  for (const path of files(source)) {
    expect(readFileSync(join(mirror, path)).equals(readFileSync(join(source, path))), relative(mirror, join(mirror, path))).toBe(true);
  }
});

it('serves the pages inline with their types, as a browser needs them', async () => {
  const page = await fetch(rawUrl(t, 'docs', 'site/1.0/'));
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-disposition')).toBe('inline');
  expect((await fetch(rawUrl(t, 'docs', 'site/1.0/css/site.css'))).headers.get('content-type')).toMatch(/^text\/css/);
  expect((await fetch(rawUrl(t, 'docs', 'site/1.0/img/logo.png'))).headers.get('content-type')).toBe('image/png');
});
