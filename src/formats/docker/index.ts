// The Docker/OCI format: registration with the core.
import type { Format } from '../../repository/format.js';
import { ProxyDockerStore } from './proxy.js';
import { registerV2 } from './routes.js';
import { dockerStore } from './stores.js';
import { validateDocker, type DockerSection } from './validate.js';
import { dockerExamples, dockerSections } from './schema.js';
import { KIND, blobPath, manifestPrefix } from './paths.js';
import { collectGarbage } from './gc.js';

export const docker: Format = {
  name: 'docker',
  types: ['hosted', 'proxy', 'group'],
  validate: validateDocker,
  sections: dockerSections,
  examples: dockerExamples,
  normalise(repo) {
    if (typeof repo.dockerProxy?.indexType === 'string') repo.dockerProxy.indexType = repo.dockerProxy.indexType.toUpperCase();
  },
  async deleteAsset(wharf, repo, asset) {
    const store = dockerStore(wharf, repo);
    if (asset.kind === KIND.blob) return store.deleteBlob('', asset.path.slice(blobPath('').length));
    // v2/<image>/manifests/<tag or digest>: a tag goes alone; a manifest takes the tags pointing at it.
    const reference = asset.path.slice(manifestPrefix(asset.name).length);
    return store.deleteManifest(asset.name, reference);
  },
  downloadPath(repo, asset) {
    // Docker content is served by the registry API with path routing (v2/<image>/manifests/<ref> ->
    // /v2/<repo>/<image>/manifests/<ref>), not under /repository/.
    return `/v2/${repo.name}/${asset.path.slice('v2/'.length)}`;
  },
  async probeUpstream(wharf, repo) {
    const store = dockerStore(wharf, repo);
    if (!(store instanceof ProxyDockerStore)) return { reachable: false, message: 'not a proxy repository' };
    try {
      const res = await store.upstream.request('GET', '/v2/', {}, 'registry:base');
      await res.body.dump();
      // 200, or 401 for an upstream that needs credentials we do not have: either way it answers.
      return { reachable: res.statusCode < 500, status: res.statusCode, message: `GET /v2/ answered ${res.statusCode}` };
    } catch (err) {
      return { reachable: false, message: (err as Error).message };
    }
  },
  async invalidateCache(wharf, repo) {
    const store = dockerStore(wharf, repo);
    if (store instanceof ProxyDockerStore) await store.invalidate();
    // A group caches nothing of its own: invalidating it invalidates its proxy members.
    if (repo.type === 'group') {
      for (const name of repo.group?.memberNames ?? []) {
        const member = wharf.repositories.get(name);
        if (member?.format === 'docker' && member.type !== 'hosted') await this.invalidateCache!(wharf, member);
      }
    }
  },
  collectGarbage: async (wharf, repo, options) => ({ ...(await collectGarbage(wharf.db, repo, options)) }),
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
