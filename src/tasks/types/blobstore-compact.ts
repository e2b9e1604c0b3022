// blobstore.compact: removes the bytes of blobs garbage collection marked, from one blob store or all.
import type { Problem } from '../../repository/format.js';
import { compact } from '../../storage/blob-marks.js';
import { formatBytes, optionalString, type TaskType } from '../task-type.js';
import { repositoriesOn } from './repository-docker-gc.js';

export const blobstoreCompact: TaskType = {
  type: 'blobstore.compact',
  description: 'Admin - compact blob store',
  check(properties, wharf) {
    const problems: Problem[] = [];
    const name = optionalString(properties, 'blobStoreName', problems);
    if (name && !wharf.blobStores.names().includes(name)) problems.push({ key: 'blobStoreName', reason: `no blob store named ${name}` });
    return problems;
  },
  async run({ wharf, properties, log, signal }) {
    const only = optionalString(properties, 'blobStoreName', []);
    let deleted = 0;
    let bytes = 0;
    for (const name of wharf.blobStores.names()) {
      if (signal.aborted || (only && name !== only)) continue;
      const result = await compact(wharf.db, wharf.blobStores.get(name), repositoriesOn(wharf.repositories.list(), name), () => signal.aborted);
      deleted += result.deleted;
      bytes += result.bytes;
      log(`blob store ${name}: deleted ${result.deleted} blob(s), ${formatBytes(result.bytes)} freed${result.kept ? `, ${result.kept} referenced again and kept` : ''}`);
    }
    return `deleted ${deleted} blob(s), ${formatBytes(bytes)} freed`;
  },
};
