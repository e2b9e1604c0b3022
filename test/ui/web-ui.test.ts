// Acceptance tests of the web UI in a real browser: Debian's Chromium driven by playwright-core, against a real
// Wharf serving the production build (dist/web). A user signs in, creates a Docker hosted repository, pushes an
// image with skopeo, finds it in browse and search, sees its layers, previews a cleanup policy, creates a role
// and a user, and finds both in the audit log. Screenshots of the main pages go to test-results/ui/.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, skopeo, TempDirs, writeImageIndex, type BuiltImage } from '../helpers/images.js';
import { ADMIN_PASSWORD, adminAuth, startWharf, type TestWharf } from '../helpers/wharf.js';
import { SERVICE_DN, Slapd, SUFFIX } from '../helpers/slapd.js';
import { UI_DIR } from '../../src/http/ui.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-results', 'ui');
const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

let wharf: TestWharf;
let context: BrowserContext;
let page: Page;
let profile: string;
let image: BuiltImage;
let arm: BuiltImage;
let layout: string;
const temp = new TempDirs();
/** Uncaught errors and console errors of the pages (a CSP violation is one), other than failed requests. */
const pageErrors: string[] = [];

beforeAll(async () => {
  // `npm ci` and `npm test` build the UI; a checkout that was only type-checked gets it built here.
  if (!existsSync(join(UI_DIR, 'index.html'))) await (await import('../../scripts/build-web.mjs' as string)).buildWeb(ROOT);
  await mkdir(SHOTS, { recursive: true });
  layout = join(await temp.make('wharf-ui-'), 'layout');
  const images = async () => {
    image = await buildImage(layout, 'app', { layers: [{ path: '/app/server', size: 180_000 }, { path: '/app/assets.bin', size: 60_000 }], cmd: ['/app/server'], labels: { 'org.opencontainers.image.title': 'ui test app' }, architecture: 'amd64', os: 'linux' });
    arm = await buildImage(layout, 'app-arm', { layers: [{ path: '/app/server', size: 90_000 }], cmd: ['/app/server'], architecture: 'arm64', os: 'linux' });
    await writeImageIndex(layout, 'multi', [{ digest: image.digest, platform: { os: 'linux', architecture: 'amd64' } }, { digest: arm.digest, platform: { os: 'linux', architecture: 'arm64' } }]);
  };
  [wharf] = await Promise.all([startWharf(), images()]);
  profile = await mkdtemp(join(tmpdir(), 'wharf-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1360, height: 860 } });
  context.setDefaultTimeout(15_000);
  page = context.pages()[0] ?? await context.newPage();
  context.on('weberror', (e) => pageErrors.push(e.error().message));
  context.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text()); });
});

afterAll(async () => {
  await context?.close();
  await wharf?.stop();
  await temp.removeAll();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const heading = (text: string) => page.getByRole('heading', { level: 1, name: text });

describe('web UI', () => {
  it('shows anonymous mode, then signs in', async () => {
    await page.goto(`${wharf.url}/`);
    await expect.poll(() => page.getByText('Anonymous', { exact: true }).isVisible()).toBe(true);
    // Anonymous users see browsing, not administration.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password or API token').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong user name or password').waitFor();
    expect(await page.getByText('Your session ended').count()).toBe(0); // a wrong password is not an expired session
    await page.getByLabel('Password or API token').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Repositories').waitFor();
    await page.getByLabel('Signed in as').getByText('admin').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'docker-hub' }).getByText('default').waitFor(); // blob store, from the configuration
    await shot('repositories');
  });

  it('creates a Docker hosted repository with the form (refusing an invalid name first), then edits it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Repositories' }).nth(1).click();
    await page.getByRole('link', { name: 'Create repository' }).click();
    await heading('Create repository').waitFor();
    await page.getByLabel('Format', { exact: true }).selectOption('docker');
    await page.getByLabel('Type', { exact: true }).selectOption('hosted');
    await page.getByLabel('Name', { exact: true }).fill('-bad name');
    await page.getByRole('button', { name: 'Create repository' }).click();
    await page.getByText('Letters, digits, dot, dash and underscore').first().waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ui-images');
    await page.getByLabel('Write policy').selectOption('allow_once');
    await shot('repository-form');
    await page.getByRole('button', { name: 'Create repository' }).click();
    await heading('Repositories').waitFor();
    await page.getByRole('link', { name: 'ui-images' }).waitFor();
    await shot('admin-repositories');

    // Edit: the stored configuration goes back with the one change.
    await page.getByRole('link', { name: 'ui-images' }).click();
    await heading('ui-images').waitFor();
    await page.getByLabel('Allow redeploying latest').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await heading('Repositories').waitFor();
    const stored = await fetch(`${wharf.url}/service/rest/v1/repositories/docker/hosted/ui-images`, { headers: { authorization: adminAuth } }).then((r) => r.json());
    expect(stored.storage).toMatchObject({ writePolicy: 'allow_once', latestPolicy: true, blobStoreName: 'default' });
  });

  it('finds a pushed image in browse and search, and shows its layers and pull commands', async () => {
    await skopeo(['copy', '--retry-times', '0', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, image.ref, `docker://${wharf.host}/ui-images/team/app:1.0`]);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Repositories' }).first().click();
    await page.getByRole('link', { name: 'ui-images' }).click();
    await heading('ui-images').waitFor();
    await page.getByRole('link', { name: 'team/app' }).click();
    await page.getByRole('heading', { name: 'Layers' }).waitFor();
    expect(page.url()).toBe(`${wharf.url}/browse/ui-images/image/team/app:1.0`);
    await page.getByText(image.digest, { exact: true }).waitFor();
    const layers = page.getByRole('table', { name: 'Layers' }).locator('tbody tr');
    await expect.poll(() => layers.count()).toBe(2);
    for (const [i, layer] of image.manifest.layers.entries()) {
      await expect.poll(() => layers.nth(i).innerText()).toContain(layer.digest.slice(7, 19));
    }
    await page.getByText(`docker pull ${wharf.host}/ui-images/team/app:1.0`).waitFor();
    await page.getByText('["/app/server"]').waitFor(); // from the image config
    await shot('docker-image');

    // An index: one row per platform; choosing one shows that platform's layers.
    await skopeo(['copy', '--all', '--retry-times', '0', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, `oci:${layout}:multi`, `docker://${wharf.host}/ui-images/team/app:multi`]);
    await page.goto(`${wharf.url}/browse/ui-images/image/team/app:multi`);
    const platforms = page.getByRole('table', { name: 'Platforms of the index' });
    await platforms.getByRole('button', { name: 'linux/amd64' }).waitFor();
    await platforms.getByRole('button', { name: 'linux/arm64' }).click();
    await page.getByRole('heading', { name: 'Layers of linux/arm64' }).waitFor();
    await expect.poll(() => layers.count()).toBe(1);
    await expect.poll(() => layers.first().innerText()).toContain(arm.manifest.layers[0].digest.slice(7, 19));
    expect(page.url()).toContain(`platform=${encodeURIComponent(arm.digest)}`);

    // A shared link opens the same view directly.
    await page.goto(`${wharf.url}/search?name=team/*&version=1.*`);
    const result = page.getByRole('table', { name: 'Search results' }).getByRole('row').filter({ hasText: 'ui-images' });
    await result.getByRole('link', { name: 'team/app' }).waitFor();
    await expect.poll(() => result.innerText()).toContain('1.0');
    await page.getByLabel('Keyword').fill('nothing-like-this');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Nothing matches').waitFor();
    expect(page.url()).toContain('q=nothing-like-this');
    await page.goBack();
    await result.getByRole('link', { name: 'team/app' }).waitFor();
    await shot('search');
  });

  it('previews a cleanup policy before saving it', async () => {
    await page.getByRole('link', { name: 'Cleanup policies' }).click();
    await page.getByRole('link', { name: 'Create policy' }).click();
    await page.getByLabel('Name', { exact: true }).fill('drop-team');
    await page.getByLabel('Matching (regex on name:version)').fill('team/.*:1\\.0');
    await page.getByLabel('Repository to preview').selectOption('ui-images');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('component of ui-images would be deleted now').waitFor();
    await page.getByRole('table', { name: 'Components a run would delete' }).getByRole('cell', { name: 'team/app' }).waitFor();
    await shot('cleanup-preview');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('link', { name: 'drop-team' }).waitFor();
  });

  it('creates a role and a user, and shows both changes in the audit log', async () => {
    await page.getByRole('link', { name: 'Roles', exact: true }).click();
    await page.getByRole('link', { name: 'Create role' }).click();
    await page.getByLabel('Role ID').fill('ui-readers');
    await page.getByLabel('Description').fill('Read ui-images');
    await page.getByLabel('Filter privileges').fill('nx-search-read');
    await page.getByLabel('nx-search-read').check();
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('link', { name: 'ui-readers' }).waitFor();

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: 'Create user' }).click();
    await page.getByLabel('User ID').fill('ui-user');
    await page.getByLabel('Password', { exact: true }).fill('ui-user-pw');
    await page.getByLabel('First name').fill('Ursula');
    await page.getByLabel('Email').fill('ursula@example.com');
    await page.getByLabel('ui-readers').check();
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('link', { name: 'ui-user' }).waitFor();
    await shot('users');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Domain').selectOption('security');
    await page.getByRole('button', { name: 'Filter' }).click();
    const table = page.getByRole('table', { name: 'Audit events' });
    const user = table.getByRole('row').filter({ hasText: 'security.user' }).filter({ hasText: 'ui-user' });
    const role = table.getByRole('row').filter({ hasText: 'security.role' }).filter({ hasText: 'ui-readers' });
    await user.waitFor();
    await role.waitFor();
    expect(await user.innerText()).toContain('create');
    expect(await role.innerText()).toContain('create');
    expect(page.url()).toContain('domain=security');
    await shot('audit');
  });

  it('shows the other administration pages without errors', async () => {
    for (const [link, title] of [['Blob stores', 'Blob stores'], ['Tasks', 'Tasks'], ['System status', 'System status'], ['API tokens', 'API tokens']] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await heading(title).waitFor();
      await expect.poll(() => page.locator('.loading, [aria-busy="true"]').count()).toBe(0);
      if (title === 'Blob stores') await page.getByRole('meter', { name: 'Usage of default' }).waitFor();
      if (title === 'Tasks') {
        // Run one now, then read its history and log.
        const purge = page.getByRole('row').filter({ hasText: 'repository.docker.upload-purge' });
        await purge.getByRole('button', { name: 'Run now' }).click();
        await purge.getByText('ok', { exact: true }).waitFor();
        await purge.getByRole('link').click();
        const run = page.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ hasText: 'manual' });
        await run.getByText('ok', { exact: true }).waitFor();
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
        await page.getByRole('row').filter({ hasText: 'blobstore.compact' }).waitFor();
      }
      if (title === 'System status') await page.getByText('Blob Stores Ready').waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      await shot(title.toLowerCase().replace(/ /g, '-'));
    }
  });

  it('configures the LDAP server: "Test connection" fails then passes, a field error, then saves', async () => {
    const slapd = await Slapd.start(temp, 'ui-ldap-pw', [{ uid: 'dora', password: 'dora-pw' }]);
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Realms & access' }).click();
      await page.getByRole('link', { name: 'LDAP server' }).click();
      await heading('LDAP server').waitFor();
      const field = (label: string) => page.getByLabel(label, { exact: true });
      await field('Host').fill('127.0.0.1');
      await field('Port').fill(String(slapd.port));
      await field('Search base').fill(SUFFIX);
      await field('Bind DN').fill(SERVICE_DN);
      await field('Bind password').fill('wrong-password');
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByRole('status').filter({ hasText: /invalid credentials/i }).waitFor();
      await field('Bind password').fill('ui-ldap-pw');
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByRole('status').filter({ hasText: 'Connection OK' }).waitFor();
      await page.getByRole('button', { name: 'Test user mapping' }).click();
      await page.getByRole('status').filter({ hasText: '1 user found' }).getByText('dora').waitFor();
      await field('Member format').fill('member');
      await page.getByRole('button', { name: 'Create LDAP server' }).click();
      await page.getByText('must contain ${dn} or ${username}', { exact: true }).waitFor(); // under the field
      await field('Member format').fill('${dn}');
      await page.getByRole('button', { name: 'Create LDAP server' }).click();
      await page.getByText('LDAP server saved.').waitFor();
      await page.getByText('The LDAP realm is not active').waitFor();
      expect(await field('Bind password').inputValue()).toBe(''); // never shown back
      await shot('ldap');
    } finally {
      await slapd.stop();
    }
  });

  it('a user without administrative privileges sees no administration', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('User name').fill('ui-user');
    await page.getByLabel('Password or API token').fill('ui-user-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Signed in as').getByText('ui-user').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Search' }).waitFor();
    expect(await nav.getByRole('heading', { name: 'Administration' }).count()).toBe(0);
    await page.goto(`${wharf.url}/admin/users`);
    await heading('Not allowed').waitFor();
    expect(pageErrors).toEqual([]);
  });
});

describe('production build', () => {
  it('loads the first page in < 500 KB gzip and serves assets with caching headers', async () => {
    const fresh = await context.newPage();
    // A first visit: nothing from the cache of the pages before.
    const cdp = await context.newCDPSession(fresh);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls: string[] = [];
    let transferred = 0;
    const sizes: Promise<void>[] = [];
    fresh.on('requestfinished', (request) => {
      urls.push(request.url());
      sizes.push(request.sizes().then((s) => { transferred += s.responseBodySize + s.responseHeadersSize; }));
    });
    await fresh.goto(`${wharf.url}/browse`, { waitUntil: 'networkidle' });
    await fresh.getByRole('link', { name: 'ui-images' }).waitFor();
    await Promise.all(sizes);
    await fresh.close();
    console.log(`first page load: ${urls.length} requests, ${transferred} bytes transferred`);
    expect(transferred).toBeGreaterThan(10_000);
    expect(transferred).toBeLessThan(500 * 1024);

    // The same files as a gzip-only client gets them, with their caching headers.
    const own = [...new Set(urls.filter((u) => u.startsWith(wharf.url) && !u.includes('/service/')).map((u) => new URL(u).pathname))];
    expect(own.some((p) => p.startsWith('/assets/') && p.endsWith('.js'))).toBe(true);
    let gzipBytes = 0;
    for (const path of own) {
      const res = await fetch(`${wharf.url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
      const cache = res.headers.get('cache-control');
      if (path.startsWith('/assets/')) expect(cache).toBe('public, max-age=31536000, immutable');
      else if (path === '/browse') expect(cache).toBe('no-cache');
      if (/\.(js|css)$/.test(path) || path === '/browse') expect(res.headers.get('content-encoding')).toBe('gzip');
      gzipBytes += Number(res.headers.get('content-length'));
      await res.arrayBuffer();
    }
    expect(gzipBytes).toBeLessThan(500 * 1024);

    const index = await fetch(`${wharf.url}/`);
    const etag = index.headers.get('etag')!;
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${wharf.url}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // Client routes get the page; unknown API paths keep their JSON 404s.
    expect((await fetch(`${wharf.url}/admin/audit?domain=security`)).headers.get('content-type')).toContain('text/html');
    const api404 = await fetch(`${wharf.url}/service/rest/v1/no-such-thing`);
    expect(api404.status).toBe(404);
    expect((await api404.json()).message).toContain('no such endpoint');
    expect((await fetch(`${wharf.url}/assets/missing-0000.js`)).status).toBe(404);
  });
});
