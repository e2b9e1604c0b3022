// The server certificate of every HTTPS listener (main port and HTTPS connector ports): read from PEM files,
// checked (the key must match, an expired certificate is logged), and swapped into running servers on SIGHUP
// with server.setSecureContext, so renewing a certificate needs no restart and drops no connection.
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

/** What the logs say about a certificate. */
export interface CertificateInfo {
  subject: string;
  subjectAltName: string | undefined;
  serialNumber: string;
  fingerprint256: string;
  validTo: string;
}

interface Loaded {
  cert: Buffer;
  key: Buffer;
  info: CertificateInfo;
}

function read(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`${key}: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Reads and checks the pair; throws an Error whose message starts with the offending wharf.yaml key. */
function load(files: CertificateFiles): Loaded {
  const cert = read(files.certFile, 'http.tls.certFile');
  const key = read(files.keyFile, 'http.tls.keyFile');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert); // the first certificate of the file: the server's own (a chain may follow)
  } catch (e) {
    throw new Error(`http.tls.certFile: ${files.certFile} is not a PEM certificate: ${(e as Error).message}`);
  }
  let matches: boolean;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw new Error(`http.tls.keyFile: ${files.keyFile} is not a PEM private key: ${(e as Error).message}`);
  }
  if (!matches) throw new Error(`http.tls.keyFile: ${files.keyFile} is not the private key of the certificate in ${files.certFile}`);
  const info = {
    subject: x509.subject.replace(/\n/g, ', '), subjectAltName: x509.subjectAltName, serialNumber: x509.serialNumber,
    fingerprint256: x509.fingerprint256, validTo: x509.validTo,
  };
  return { cert, key, info };
}

export class Certificate {
  private current: Loaded;
  private readonly servers = new Set<TlsServer>();

  /** Loads the files now; throws (naming the key) when they cannot be used. */
  constructor(readonly files: CertificateFiles, private readonly log: Logger) {
    this.current = load(files);
    this.warnIfExpired();
    log.info({ certificate: this.current.info }, 'TLS certificate loaded');
  }

  /** Options for https.createServer: the certificate as loaded now. */
  get options(): { cert: Buffer; key: Buffer } {
    return { cert: this.current.cert, key: this.current.key };
  }

  get info(): CertificateInfo {
    return this.current.info;
  }

  /** Makes `server` follow later reloads until it closes. Safe to call twice. */
  attach(server: TlsServer): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  /**
   * Re-reads the files and, when they are usable, puts them into every attached server (new connections
   * get the new certificate). Returns true on success; on failure logs why and keeps serving the old one.
   * Never throws.
   */
  reload(): boolean {
    let next: Loaded;
    try {
      next = load(this.files);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'TLS certificate reload failed; still serving the previous certificate');
      return false;
    }
    for (const server of this.servers) server.setSecureContext({ cert: next.cert, key: next.key });
    const previous = this.current.info;
    this.current = next;
    this.warnIfExpired();
    this.log.info({ certificate: next.info, previousSerialNumber: previous.serialNumber, servers: this.servers.size }, 'TLS certificate reloaded');
    return true;
  }

  private warnIfExpired(): void {
    if (Date.parse(this.current.info.validTo) < Date.now()) this.log.warn({ certificate: this.current.info }, 'TLS certificate has expired');
  }
}

/** Reloads `certificate` on every SIGHUP (the usual "re-read your files" signal); returns the unsubscribe. */
export function reloadOnSighup(certificate: Certificate): () => void {
  const onHup = () => {
    certificate.reload();
  };
  process.on('SIGHUP', onHup);
  return () => {
    process.off('SIGHUP', onHup);
  };
}
