// Docker's sections of a repository body (REST and wharf.yaml), in Nexus's shape, and the example bodies the
// OpenAPI document shows. The core composes them with the shared sections (config/repository-schema.ts).
import { Type } from '@sinclair/typebox';
import type { Format } from '../../repository/format.js';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const dockerSections: NonNullable<Format['sections']> = {
  docker: {
    types: ['hosted', 'proxy', 'group'],
    schema: Type.Object({
      httpPort: Type.Optional({ ...Port, description: 'A connector port: the repository also answers /v2/ on this plain HTTP port' }),
      httpsPort: Type.Optional({ ...Port, description: 'A connector port served with the server certificate (needs http.tls)' }),
      forceBasicAuth: Type.Optional(Type.Boolean({ description: 'Kept for Nexus compatibility (Wharf always offers Basic and bearer tokens)' })),
      v1Enabled: Type.Optional(Type.Boolean({ description: 'Kept for Nexus compatibility (the v1 API is not served)' })),
      subdomain: Type.Optional(Type.String({ description: 'Kept for Nexus compatibility' })),
      pathEnabled: Type.Optional(Type.Boolean({ description: 'Kept for Nexus compatibility (path routing is always on)' })),
    }, { additionalProperties: false, description: 'Docker settings' }),
  },
  dockerProxy: {
    types: ['proxy'],
    schema: Type.Object({
      indexType: Type.Optional(Type.Union([Type.Literal('REGISTRY'), Type.Literal('HUB'), Type.Literal('CUSTOM')], { description: 'HUB maps official images to library/' })),
      indexUrl: Type.Optional(Type.String()),
      cacheForeignLayers: Type.Optional(Type.Boolean()),
      foreignLayerUrlWhitelist: Type.Optional(Type.Array(Type.String())),
    }, { additionalProperties: false, description: 'Docker proxy settings' }),
  },
};

const docker = { v1Enabled: false, forceBasicAuth: true, httpPort: 8082 };

/** Nexus's own documentation examples for these bodies, adapted only in names and ports. */
export const dockerExamples: NonNullable<Format['examples']> = {
  hosted: {
    name: 'docker-releases', online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'allow_once', latestPolicy: true },
    cleanup: { policyNames: ['keep-last-20'] }, component: { proprietaryComponents: true }, docker,
  },
  proxy: {
    name: 'docker-hub', online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true },
    proxy: { remoteUrl: 'https://registry-1.docker.io', contentMaxAge: 1440, metadataMaxAge: 1440 },
    negativeCache: { enabled: true, timeToLive: 1440 },
    httpClient: { blocked: false, autoBlock: true },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 8083 },
    dockerProxy: { indexType: 'HUB', cacheForeignLayers: false },
  },
  group: {
    name: 'docker-all', online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true },
    group: { memberNames: ['docker-releases', 'docker-hub'], writableMember: 'docker-releases' },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 8084 },
  },
};
