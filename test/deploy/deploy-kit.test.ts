// The deployment kit in deploy/ (issue 9). No offline JSON schema package for Compose, Swarm stacks or
// Kubernetes is available here, so each file is parsed with `yaml` and checked for the keys that make it
// work: the references between its parts (secrets, configs, labels, probes) resolve, the Wharf settings it
// carries pass Wharf's own configuration loader, and the HAProxy example passes `haproxy -c`.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { run, TempDirs } from '../helpers/images.js';
import { makeCa, makeServerCert } from '../helpers/tls.js';

const dirs = new TempDirs();
afterAll(() => dirs.removeAll());

const deploy = (file: string) => join('deploy', file);
const text = (file: string) => readFileSync(deploy(file), 'utf8');
const S3_ENV = { S3_BUCKET: 'wharf', S3_REGION: 'us-east-1', S3_ENDPOINT: 'https://s3.example', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' };

/** Parses every document of a YAML file, failing on any YAML error. */
function documents(file: string): any[] {
  const docs = parseAllDocuments(text(file));
  for (const d of docs) expect(d.errors.map((e) => e.message), file).toEqual([]);
  return docs.map((d) => d.toJSON());
}

describe('deploy/ kit', () => {
  it('Dockerfile: multi-stage on node:20-bookworm-slim, non-root, /wharf-data volume, status healthcheck', () => {
    const file = text('Dockerfile');
    expect(file.match(/^FROM node:20-bookworm-slim/gm)?.length).toBe(2);
    expect(file).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(file).toMatch(/npm rebuild better-sqlite3/);
    expect(file).toMatch(/^USER wharf$/m);
    expect(file).toMatch(/^VOLUME \["\/wharf-data"\]$/m);
    expect(file).toMatch(/^HEALTHCHECK [\s\S]*\/service\/rest\/v1\/status/m);
    expect(file).toMatch(/^ENTRYPOINT \["node", "\/opt\/wharf\/bin\/wharf.js"\]$/m);
  });

  it('compose.yaml: one node with its data in a volume', () => {
    const [compose] = documents('compose.yaml');
    const wharf = compose.services.wharf;
    expect(wharf.image).toBeTruthy();
    expect(wharf.build.dockerfile).toBe('deploy/Dockerfile');
    expect(wharf.volumes).toContain('wharf-data:/wharf-data');
    expect(Object.keys(compose.volumes)).toContain('wharf-data');
    expect(wharf.ports).toContain('8081:8081');
  });

  it('stack.yaml: N replicas, every secret and config it uses is declared, the shared wharf.yaml loads', async () => {
    const [stack] = documents('stack.yaml');
    const wharf = stack.services.wharf;
    expect(wharf.deploy.replicas).toBeGreaterThanOrEqual(2);
    for (const s of wharf.secrets) expect(Object.keys(stack.secrets)).toContain(s);
    for (const c of wharf.configs) expect(Object.keys(stack.configs)).toContain(c.source);
    expect(wharf.configs.find((c: { target: string }) => c.target === wharf.environment.WHARF_CONFIG)).toBeDefined();
    for (const v of ['S3_BUCKET', 'S3_REGION', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID']) expect(Object.keys(wharf.environment)).toContain(v);
    expect(wharf.entrypoint.join(' ')).toMatch(/WHARF_DB=.*\/run\/secrets\/wharf_db_url/);
    const config = loadConfigFile(deploy(stack.configs.wharf_yaml.file), S3_ENV);
    expect(config.blobStores?.[0]).toMatchObject({ name: 'default', type: 's3', bucket: 'wharf', endpoint: 'https://s3.example' });
  });

  it('kubernetes/: a Deployment of N replicas whose Secret, ConfigMap keys and Service selector all resolve', async () => {
    const all = ['secret.yaml', 'configmap.yaml', 'deployment.yaml', 'service.yaml'].flatMap((f) => documents(join('kubernetes', f)));
    for (const doc of all) {
      expect(doc.apiVersion).toMatch(/^(v1|apps\/v1)$/);
      expect(doc.metadata.name).toBe('wharf');
    }
    const byKind = Object.fromEntries(all.map((d) => [d.kind, d]));
    const { Deployment: deployment, Service: service, Secret: secret, ConfigMap: configMap } = byKind;
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    const [container] = deployment.spec.template.spec.containers;
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.readinessProbe.httpGet.path).toBe('/service/rest/v1/status');
    expect(container.ports.map((p: { name: string }) => p.name)).toContain(service.spec.ports[0].targetPort);
    const env = new Map<string, any>(container.env.map((e: { name: string }) => [e.name, e]));
    expect(env.get('WHARF_DB').valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
    for (const e of env.values()) {
      const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
      if (!ref) continue;
      const source = e.valueFrom.secretKeyRef ? secret.stringData : configMap.data;
      expect(Object.keys(source), e.name).toContain(ref.key);
    }
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'config');
    expect(`${mount.mountPath}/wharf.yaml`).toBe(env.get('WHARF_CONFIG').value);
    const dir = await dirs.make('wharf-k8s-');
    await writeFile(join(dir, 'wharf.yaml'), configMap.data['wharf.yaml']);
    expect(parse(configMap.data['wharf.yaml']).blobStores[0].type).toBe('s3');
    expect(loadConfigFile(join(dir, 'wharf.yaml'), S3_ENV).blobStores?.[0]).toMatchObject({ type: 's3', bucket: 'wharf' });
  });

  it('reverse-proxy examples: no method-based routing; the HAProxy one passes haproxy -c; Traefik parses', async () => {
    for (const f of ['haproxy.cfg', 'nginx.conf', 'traefik.yaml']) {
      const directives = text(join('reverse-proxy', f)).split('\n').map((l) => l.replace(/#.*/, '')).join('\n');
      expect(directives, f).not.toMatch(/\bmethod\b|limit_except|\$request_method|Method\(/i);
    }
    const [traefik] = documents(join('reverse-proxy', 'traefik.yaml'));
    expect(traefik.http.routers.wharf.service).toBe('wharf');
    expect(traefik.http.services.wharf.loadBalancer.servers.length).toBeGreaterThanOrEqual(2);
    expect(traefik.http.services.wharf.loadBalancer.healthCheck.path).toBe('/service/rest/v1/status');
    // haproxy -c needs the certificate the example names: point it at a throwaway one.
    const dir = await dirs.make('wharf-haproxy-example-');
    const cert = await makeServerCert(await makeCa(dir), 'example');
    const cfg = join(dir, 'haproxy.cfg');
    await writeFile(cfg, text(join('reverse-proxy', 'haproxy.cfg')).replace('/etc/haproxy/certs/wharf.pem', cert.pem));
    await run('/usr/sbin/haproxy', ['-c', '-f', cfg]);
  });
});
