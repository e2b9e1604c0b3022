// TLS end to end with real clients: a throw-away CA (openssl), Wharf serving HTTPS on its main port and on a
// Docker connector port, skopeo pushing and pulling with certificate verification on, HSTS, the plain-HTTP
// redirect, certificate reload on SIGHUP; then Wharf as plain HTTP behind HAProxy terminating TLS, where
// every URL Wharf generates must name the proxy, and X-Forwarded-* from anyone else is ignored.
import { copyFile, mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, layoutDescriptor, skopeo, TempDirs, type BuiltImage } from '../helpers/images.js';
import { makeCa, makeServerCert, servedCertificate, startHaproxy, trustingFetch, type Haproxy, type ServerCert, type TestCa } from '../helpers/tls.js';
import { ADMIN_PASSWORD, adminAuth, freePort, startWharf, type TestWharf } from '../helpers/wharf.js';

const dirs = new TempDirs();
const CREDS = `admin:${ADMIN_PASSWORD}`;
const ONE_YEAR = 365 * 24 * 3600;
let ca: TestCa;
let image: BuiltImage;
let client: ReturnType<typeof trustingFetch>;

beforeAll(async () => {
  ca = await makeCa(await dirs.make('wharf-pki-'));
  client = trustingFetch(ca);
  image = await buildImage(join(await dirs.make(), 'layout'), '1.0', { layers: [{ path: 'app/tls.bin', size: 300_000 }, { path: 'etc/conf', size: 2_000 }] });
});

afterAll(async () => {
  await client?.close();
  await dirs.removeAll();
});

/** Pulls `ref` into a new OCI layout and returns the manifest digest that arrived. */
async function pullDigest(ref: string, certFlag: string[]): Promise<string> {
  const out = join(await dirs.make(), 'pulled');
  await skopeo(['copy', ...certFlag, '--src-creds', CREDS, ref, `oci:${out}:got`]);
  return (await layoutDescriptor(out, 'got')).digest;
}

/** A plain-HTTP request that does not follow redirects. */
function plainGet(port: number, path: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    }).once('error', reject).end();
  });
}

describe('Wharf serving HTTPS', () => {
  let wharf: TestWharf;
  let base: string;
  let connectorPort: number;
  let redirectPort: number;
  let first: ServerCert;
  let tlsDir: string;

  beforeAll(async () => {
    const dataDir = await dirs.make('wharf-tls-data-');
    tlsDir = join(dataDir, 'tls');
    await mkdir(tlsDir);
    first = await makeServerCert(ca, 'first');
    await copyFile(first.cert, join(tlsDir, 'server.crt'));
    await copyFile(first.key, join(tlsDir, 'server.key'));
    connectorPort = await freePort();
    redirectPort = await freePort();
    wharf = await startWharf({
      dataDir,
      config: `
http:
  tls: { certFile: tls/server.crt, keyFile: tls/server.key }   # relative to WHARF_DATA
  redirectHttp: true
  httpPort: ${redirectPort}
  trustedProxies: [192.0.2.10]                                  # not the test: its X-Forwarded-* are ignored
repositories:
  - { name: docker-hosted, format: docker, type: hosted, storage: { writePolicy: allow }, docker: { httpsPort: ${connectorPort} } }
`,
    });
    base = `https://127.0.0.1:${wharf.port}`;
  });

  afterAll(async () => {
    await wharf?.stop();
  });

  it('takes a push and serves the pull with skopeo verifying the certificate', async () => {
    const ref = `docker://127.0.0.1:${wharf.port}/docker-hosted/team/app:1.0`;
    await skopeo(['copy', '--dest-cert-dir', ca.certDir, '--dest-creds', CREDS, image.ref, ref]);
    expect(await pullDigest(ref, ['--src-cert-dir', ca.certDir])).toBe(image.digest);
  });

  it('is refused by a client that does not trust the CA (verification is really on)', async () => {
    const emptyCertDir = await dirs.make('wharf-no-ca-');
    await expect(skopeo(['inspect', '--cert-dir', emptyCertDir, '--creds', CREDS, `docker://127.0.0.1:${wharf.port}/docker-hosted/team/app:1.0`]))
      .rejects.toThrow(/certificate|x509|authority/i);
  });

  it('sends HSTS (one year by default) and an https bearer realm', async () => {
    const res = await client.fetch(`${base}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('strict-transport-security')).toBe(`max-age=${ONE_YEAR}`);
    expect(res.headers.get('www-authenticate')).toContain(`realm="${base}/v2/token"`);
  });

  it('ignores X-Forwarded-* from a peer that is not a trusted proxy', async () => {
    const forged = { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example:9', 'x-forwarded-for': '203.0.113.7' };
    const challenge = await client.fetch(`${base}/v2/`, { headers: forged });
    expect(challenge.headers.get('www-authenticate')).toContain(`realm="${base}/v2/token"`);
    const repos = await client.fetch(`${base}/service/rest/v1/repositories`, { headers: { ...forged, authorization: adminAuth } });
    const list = (await repos.json()) as { name: string; url: string }[];
    expect(list.find((r) => r.name === 'docker-hosted')?.url).toBe(`${base}/repository/docker-hosted`);
  });

  it('redirects plain HTTP on http.httpPort to HTTPS with a 308', async () => {
    expect(wharf.running.redirectPort).toBe(redirectPort);
    const res = await plainGet(redirectPort, '/v2/_catalog?n=5');
    expect(res).toEqual({ status: 308, location: `${base}/v2/_catalog?n=5` });
    const followed = await client.fetch(`http://127.0.0.1:${redirectPort}/service/rest/v1/status`);
    expect(followed.url).toBe(`${base}/service/rest/v1/status`);
    expect(followed.status).toBe(200);
  });

  it('serves the repository over HTTPS on its docker.httpsPort connector', async () => {
    const connector = `https://127.0.0.1:${connectorPort}`;
    const res = await client.fetch(`${connector}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(`realm="${connector}/v2/token"`);
    expect(res.headers.get('strict-transport-security')).toBe(`max-age=${ONE_YEAR}`);
    expect(await pullDigest(`docker://127.0.0.1:${connectorPort}/team/app:1.0`, ['--src-cert-dir', ca.certDir])).toBe(image.digest);
  });

  it('swaps in a renewed certificate on SIGHUP without a restart, and keeps the old one when the new files are bad', async () => {
    expect((await servedCertificate(wharf.port, ca)).serialNumber).toBe(first.serialNumber);
    const renewed = await makeServerCert(ca, 'renewed');

    // A certificate without its key: refused, the old certificate stays.
    await copyFile(renewed.cert, join(tlsDir, 'server.crt'));
    process.emit('SIGHUP', 'SIGHUP');
    expect((await servedCertificate(wharf.port, ca)).serialNumber).toBe(first.serialNumber);

    await copyFile(renewed.key, join(tlsDir, 'server.key'));
    process.emit('SIGHUP', 'SIGHUP');
    expect(wharf.running.certificate?.info.serialNumber).toBe(renewed.serialNumber);
    expect((await servedCertificate(wharf.port, ca)).serialNumber).toBe(renewed.serialNumber);
    expect((await servedCertificate(connectorPort, ca)).serialNumber).toBe(renewed.serialNumber);
    expect(await pullDigest(`docker://127.0.0.1:${wharf.port}/docker-hosted/team/app:1.0`, ['--src-cert-dir', ca.certDir])).toBe(image.digest);
  });
});

describe('Wharf behind HAProxy terminating TLS', () => {
  let wharf: TestWharf;
  let proxy: Haproxy;

  beforeAll(async () => {
    wharf = await startWharf({ config: 'http: { trustedProxies: [127.0.0.1] }\n' });
    const cert = await makeServerCert(ca, 'haproxy');
    proxy = await startHaproxy(await dirs.make('wharf-haproxy-'), await freePort(), wharf.port, cert);
  });

  afterAll(async () => {
    await proxy?.stop();
    await wharf?.stop();
  });

  it('names the proxy in the bearer realm of a 401', async () => {
    const res = await client.fetch(`${proxy.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${proxy.url}/v2/token",service="wharf"`);
    expect(res.headers.get('strict-transport-security')).toBeNull(); // HSTS only when configured or with own TLS
  });

  it('gives upload Locations and REST repository URLs that resolve to the proxy', async () => {
    const post = await client.fetch(`${proxy.url}/v2/docker-hosted/team/proxied/blobs/uploads/`, { method: 'POST', headers: { authorization: adminAuth } });
    expect(post.status).toBe(202);
    const location = post.headers.get('location') ?? '';
    expect(new URL(location, `${proxy.url}/v2/`).origin).toBe(proxy.url);
    await client.fetch(new URL(location, proxy.url).href, { method: 'DELETE', headers: { authorization: adminAuth } });

    const repos = await client.fetch(`${proxy.url}/service/rest/v1/repositories`, { headers: { authorization: adminAuth } });
    const list = (await repos.json()) as { name: string; url: string }[];
    expect(list.find((r) => r.name === 'docker-hosted')?.url).toBe(`${proxy.url}/repository/docker-hosted`);
  });

  it('takes a skopeo push and serves the pull through the proxy', async () => {
    const ref = `docker://${proxy.host}/docker-hosted/team/proxied:1.0`;
    await skopeo(['copy', '--dest-cert-dir', ca.certDir, '--dest-creds', CREDS, image.ref, ref]);
    expect(await pullDigest(ref, ['--src-cert-dir', ca.certDir])).toBe(image.digest);
  });

  it('uses the request itself when the trusted proxy sends no X-Forwarded-* (direct access)', async () => {
    const res = await fetch(`${wharf.url}/v2/`);
    expect(res.headers.get('www-authenticate')).toContain(`realm="${wharf.url}/v2/token"`);
  });
});
