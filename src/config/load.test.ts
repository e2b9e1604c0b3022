import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfig, ConfigError } from './load.js';

const problems = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    checkConfig(parse(yaml), 'wharf.yaml', env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.key}: ${p.reason}`);
  }
};

describe('wharf.yaml checks', () => {
  it('accepts the Docker part of the design example, enums in any case, ${NAME} from the environment', () => {
    expect(problems(`
blobStores: [ { name: releases, type: FILE, path: blobs/releases } ]
repositories:
  - { name: docker-releases, format: docker, type: hosted, storage: { blobStoreName: releases, writePolicy: ALLOW_ONCE, latestPolicy: true }, docker: { httpPort: 18001 } }
  - { name: docker-latest, format: docker, type: hosted, storage: { blobStoreName: default, writePolicy: allow } }
  - name: docker-hub
    format: docker
    type: proxy
    proxy: { remoteUrl: "https://registry-1.docker.io", contentMaxAge: -1, metadataMaxAge: 1440 }
    dockerProxy: { indexType: hub }
    httpClient: { authentication: { type: username, username: me, password: "\${HUB_TOKEN}" } }
    negativeCache: { enabled: true, timeToLive: 1440 }
  - name: docker
    format: docker
    type: group
    group: { memberNames: [docker-releases, docker-latest, docker-hub], writableMember: docker-latest, writeRoutes: [ { tagPattern: '^v?\\d+$', member: docker-releases } ] }
docker: { defaultRepository: docker }
`, { HUB_TOKEN: 't' })).toEqual([]);
  });

  it('names the key and the reason for each problem', () => {
    const found = problems(`
repositories:
  - { name: a, format: docker, type: hosted, storage: { writePolicy: sometimes }, extra: 1 }
  - { name: b, format: nope, type: hosted }
  - { name: p, format: docker, type: proxy, proxy: { remoteUrl: "https://x" }, httpClient: { authentication: { type: username, username: u, password: "\${MISSING}" } } }
`);
    expect(found.some((p) => p.startsWith('repositories[0].storage.writePolicy'))).toBe(true);
    expect(found.some((p) => p.startsWith('repositories[0]') && p.includes('extra'))).toBe(true);
    expect(found).toContain('repositories[2].httpClient.authentication.password: environment variable MISSING is not set');
  });

  it('rejects group cycles, unknown members, non-hosted write targets, bad patterns and shared ports', () => {
    const found = problems(`
repositories:
  - { name: h, format: docker, type: hosted, docker: { httpPort: 5000 } }
  - { name: h2, format: docker, type: hosted, docker: { httpPort: 5000 } }
  - { name: p, format: docker, type: proxy, proxy: { remoteUrl: "https://x" } }
  - { name: g1, format: docker, type: group, group: { memberNames: [h, p, g2, ghost], writableMember: p, writeRoutes: [ { tagPattern: '(', member: h } ] } }
  - { name: g2, format: docker, type: group, group: { memberNames: [g1] } }
`).join('\n');
    expect(found).toContain('repositories[3].group.memberNames[3]: no repository named ghost');
    expect(found).toMatch(/groups contain each other: g1 -> g2 -> g1/);
    expect(found).toContain('repositories[3].group.writableMember: p is not a hosted repository');
    expect(found).toMatch(/writeRoutes\[0\]\.tagPattern: not a regular expression/);
    expect(found).toMatch(/port 5000 is also used by h/);
  });

  it('refuses sections this version does not implement by name', () => {
    expect(problems('tasks: [ { name: t, type: no.such } ]')).toEqual(['tasks[0].type: unknown task type no.such (known: repository.cleanup, repository.docker.gc, blobstore.compact, repository.docker.upload-purge, backup.create)']);
    expect(problems('proxy: {}')).not.toEqual([]); // repository sections are not top-level keys
  });

  it('accepts security.ldap with defaults; ${dn} in groupMemberFormat is not an environment reference', () => {
    const ldap = `security: { ldap: { url: "ldap://127.0.0.1:389", bindDn: "cn=w,dc=x", bindPassword: "\${PW}", userBaseDn: "ou=p,dc=x", groupBaseDn: "ou=g,dc=x", groupMemberFormat: "\${dn}" } }`;
    expect(problems(ldap, { PW: 'secret' })).toEqual([]);
    const config = checkConfig(parse(ldap), 'wharf.yaml', { PW: 'secret' });
    expect(config.security?.ldap).toMatchObject({ bindPassword: 'secret', groupMemberFormat: '${dn}', userIdAttribute: 'uid', groupObjectClass: 'groupOfNames', cacheTtl: 60 });
    expect(problems('security: { ldap: { url: "ldap://h", bindDn: "cn=w", userBaseDn: "o=x", groupBaseDn: "o=x", groupMemberFormat: "cn" } }')).toEqual([
      'security.ldap.bindPassword: required with bindDn (export omits it: add it back, e.g. "${LDAP_PW}")',
      'security.ldap.groupMemberFormat: must contain ${dn} or ${username}',
    ]);
    expect(problems('security: { ldap: { url: "http://h", userBaseDn: "o=x", groupBaseDn: "o=x" } }')[0]).toMatch(/^security\.ldap\.url: /);
  });
});
