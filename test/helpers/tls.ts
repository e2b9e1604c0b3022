// TLS fixtures for tests: a throw-away CA and server certificates made with the openssl command line, a
// fetch that trusts that CA, the certificate a port actually serves, and HAProxy terminating TLS in front of
// a plain-HTTP server (the reverse-proxy deployment), started and stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { run } from './images.js';

export interface TestCa {
  dir: string;
  cert: string;
  key: string;
  /** A directory holding only ca.crt: what skopeo's --cert-dir / --src-cert-dir / --dest-cert-dir want. */
  certDir: string;
}

export interface ServerCert {
  cert: string;
  key: string;
  /** cert followed by key in one file, as HAProxy's `crt` wants. */
  pem: string;
  /** Upper-case hex, as X509Certificate and tls getPeerCertificate() report it. */
  serialNumber: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA in `dir`. */
export async function makeCa(dir: string): Promise<TestCa> {
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  await run('openssl', ['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=Wharf Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const certDir = join(dir, 'trust');
  await mkdir(certDir, { recursive: true });
  await copyFile(cert, join(certDir, 'ca.crt'));
  return { dir, cert, key, certDir };
}

/** A server certificate for IP 127.0.0.1 signed by `ca`, named `name` in ca.dir, with a random serial. */
export async function makeServerCert(ca: TestCa, name: string): Promise<ServerCert> {
  const base = join(ca.dir, name);
  const [cert, key, csr, ext, pem] = ['.crt', '.key', '.csr', '.ext', '.pem'].map((s) => base + s);
  await run('openssl', ['req', ...EC, '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  await writeFile(ext, 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  const serialNumber = `7${randomBytes(8).toString('hex').toUpperCase().slice(1)}`; // 16 digits, positive, no zero padding
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${serialNumber}`,
    '-days', '2', '-extfile', ext, '-out', cert]);
  await writeFile(pem, Buffer.concat([await readFile(cert), await readFile(key)]));
  return { cert, key, pem, serialNumber };
}

/** fetch() that verifies servers against `ca` only (no system roots, no verification switched off). */
export function trustingFetch(ca: TestCa): { fetch: (url: string, init?: RequestInit) => Promise<Response>; close(): Promise<void> } {
  let caPem: Promise<Buffer> | undefined;
  let agent: Agent | undefined;
  return {
    async fetch(url, init) {
      caPem ??= readFile(ca.cert);
      agent ??= new Agent({ connect: { ca: await caPem } });
      return fetch(url, { ...init, dispatcher: agent });
    },
    async close() {
      await agent?.close();
    },
  };
}

/** The certificate 127.0.0.1:`port` serves to a new connection, verified against `ca`. */
export async function servedCertificate(port: number, ca: TestCa): Promise<PeerCertificate> {
  const caPem = await readFile(ca.cert);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: caPem }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.once('error', reject);
  });
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited(child)) throw new Error(`haproxy exited (${child.exitCode ?? child.signalCode}):\n${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${port} within 10 s:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Haproxy {
  /** https://127.0.0.1:<port> */
  url: string;
  host: string;
  stop(): Promise<void>;
}

/**
 * Starts /usr/sbin/haproxy in the foreground: TLS on 127.0.0.1:`port` with `cert`, forwarding plain HTTP to
 * 127.0.0.1:`backendPort` with X-Forwarded-Proto https, X-Forwarded-Host (the client's Host) and
 * X-Forwarded-For (option forwardfor).
 */
export async function startHaproxy(dir: string, port: number, backendPort: number, cert: ServerCert): Promise<Haproxy> {
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 120s',
    '  timeout server 120s',
    'frontend wharf_tls',
    `  bind 127.0.0.1:${port} ssl crt ${cert.pem}`,
    '  option forwardfor',
    '  http-request set-header X-Forwarded-Proto https',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  default_backend wharf',
    'backend wharf',
    `  server wharf1 127.0.0.1:${backendPort}`,
    '',
  ].join('\n'));
  await run('/usr/sbin/haproxy', ['-c', '-f', config]); // a config error fails here with haproxy's message
  const child = spawn('/usr/sbin/haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  try {
    await waitForPort(port, child, () => stderr);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
  return {
    url: `https://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    async stop() {
      if (exited(child)) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
