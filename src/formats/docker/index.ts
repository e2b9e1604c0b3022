// The Docker/OCI format: registration with the core.
import type { Format } from '../../repository/format.js';
import { ProxyDockerStore } from './proxy.js';
import { registerV2 } from './routes.js';
import { dockerStore } from './stores.js';
import { validateDocker, type DockerSection } from './validate.js';

export const docker: Format = {
  name: 'docker',
  types: ['hosted', 'proxy', 'group'],
  validate: validateDocker,
  routes(app, wharf) {
    registerV2(app, wharf);
  },
  connector(repo) {
    const { httpPort, httpsPort } = (repo.docker ?? {}) as DockerSection;
    if (!httpPort && !httpsPort) return undefined;
    return { port: httpPort, httpsPort, routes: (app, wharf) => registerV2(app, wharf, repo.name) };
  },
  upstreamStatus(wharf, repo) {
    if (repo.type !== 'proxy') return undefined;
    const store = dockerStore(wharf, repo);
    return store instanceof ProxyDockerStore ? store.upstream.status() : undefined;
  },
  defaults(blobStoreName) {
    const storage = { blobStoreName, strictContentTypeValidation: true };
    return [
      { name: 'docker-hosted', format: 'docker', type: 'hosted', online: true, storage: { ...storage, writePolicy: 'allow' } },
      {
        name: 'docker-hub', format: 'docker', type: 'proxy', online: true, storage,
        proxy: { remoteUrl: 'https://registry-1.docker.io', contentMaxAge: -1, metadataMaxAge: 1440 },
        dockerProxy: { indexType: 'HUB' },
        negativeCache: { enabled: true, timeToLive: 1440 },
      },
      {
        name: 'docker', format: 'docker', type: 'group', online: true, storage,
        group: { memberNames: ['docker-hosted', 'docker-hub'], writableMember: 'docker-hosted' },
      },
    ];
  },
};
