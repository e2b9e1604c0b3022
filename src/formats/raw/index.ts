// The raw format: files at any path in hosted, proxy and group repositories, served under /repository/<name>/.
// Registration with the core; everything else is in this folder.
import type { Format } from '../../repository/format.js';
import { sendRawError } from './errors.js';
import { ProxyRawStore } from './proxy.js';
import { rawExamples, rawSections, normaliseRaw } from './schema.js';
import { serveRaw } from './serve.js';
import { rawStore } from './stores.js';
import { rawUpload } from './upload.js';
import { validateRaw } from './validate.js';

export const raw: Format = {
  name: 'raw',
  types: ['hosted', 'proxy', 'group'],
  validate: validateRaw,
  sections: rawSections,
  examples: rawExamples,
  normalise: normaliseRaw,
  serve: serveRaw,
  sendError: sendRawError,
  upload: rawUpload,
  upstreamStatus(wharf, repo) {
    const store = repo.type === 'proxy' ? rawStore(wharf, repo) : undefined;
    return store instanceof ProxyRawStore ? store.upstream.status() : undefined;
  },
  async invalidateCache(wharf, repo) {
    const store = rawStore(wharf, repo);
    if (store instanceof ProxyRawStore) await store.invalidate();
    for (const name of repo.type === 'group' ? repo.group?.memberNames ?? [] : []) {
      const member = wharf.repositories.get(name);
      if (member?.format === 'raw' && member.type !== 'hosted') await this.invalidateCache!(wharf, member);
    }
  },
  defaults(blobStoreName) {
    return [{
      name: 'raw-hosted', format: 'raw', type: 'hosted', online: true,
      storage: { blobStoreName, strictContentTypeValidation: true, writePolicy: 'allow' },
    }];
  },
};
