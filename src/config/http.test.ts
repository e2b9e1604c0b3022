import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfig, ConfigError } from './load.js';
import { isProxyEntry } from './http.js';

function problems(yaml: string): string[] {
  try {
    checkConfig(parse(yaml), 'wharf.yaml', {});
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.key}: ${p.reason}`);
    throw e;
  }
}

describe('the http section', () => {
  it('accepts the DESIGN.md example and a full reverse-proxy setup', () => {
    expect(problems('http: { tls: { certFile: /certs/wharf.pem, keyFile: /certs/wharf.key }, redirectHttp: true }')).toEqual([]);
    expect(problems(`
http:
  tls: { certFile: tls/wharf.crt, keyFile: tls/wharf.key }
  redirectHttp: true
  httpPort: 8080
  hsts: { maxAge: 600, includeSubDomains: true }
  trustedProxies: [10.0.0.0/8, 127.0.0.1, "::1", fd00::/8, loopback]
repositories:
  - { name: d, format: docker, type: hosted, docker: { httpPort: 18001, httpsPort: 18443 } }
`)).toEqual([]);
  });

  it('names the key of each mistake', () => {
    expect(problems('http: { redirectHttp: true, httpPort: 8080 }')).toEqual(['http.redirectHttp: redirecting to HTTPS needs http.tls (certFile and keyFile)']);
    expect(problems('http: { tls: { certFile: a, keyFile: b }, httpPort: 8080 }')).toEqual(['http.httpPort: only used with redirectHttp: true (the plain-HTTP port that redirects to HTTPS)']);
    expect(problems('http: { trustedProxies: [10.0.0.0/33] }')[0]).toMatch(/^http\.trustedProxies\[0\]: not an IP address/);
    expect(problems('http: { tls: { certFile: a } }')[0]).toMatch(/^http\.tls\.keyFile: /);
    expect(problems('http: { hsts: { maxAge: -1 } }')[0]).toMatch(/^http\.hsts\.maxAge: /);
    expect(problems('http: { listen: 1 }')[0]).toMatch(/^http\.listen: /);
  });

  it('refuses an HTTPS connector without http.tls, and a port used twice', () => {
    expect(problems('repositories: [ { name: d, format: docker, type: hosted, docker: { httpsPort: 18443 } } ]'))
      .toEqual(['repositories[0].docker.httpsPort: an HTTPS connector serves the server certificate: configure http.tls (certFile, keyFile) first']);
    expect(problems(`
http: { tls: { certFile: a, keyFile: b } }
repositories:
  - { name: d, format: docker, type: hosted, docker: { httpPort: 18001 } }
  - { name: e, format: docker, type: hosted, docker: { httpsPort: 18001 } }
`)).toEqual(['repositories.e: port 18001 is also used by d']);
  });

  it('knows what Fastify trustProxy accepts', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '::1', '2001:db8::/32', 'loopback', 'linklocal', 'uniquelocal']) expect(isProxyEntry(ok)).toBe(true);
    for (const bad of ['10.0.0.0/33', '::/129', 'proxy.example', '10.0.0.1/8/1', '10.0.0.0/x', '']) expect(isProxyEntry(bad)).toBe(false);
  });
});
