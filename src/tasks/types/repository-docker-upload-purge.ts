// repository.docker.upload-purge: abandons upload sessions idle for longer than `age` hours (their partial
// bytes are removed from the blob store's upload area).
import type { Problem } from '../../repository/format.js';
import { optionalString, positiveNumber, type TaskType } from '../task-type.js';

export const DEFAULT_AGE_HOURS = 24;

export const repositoryDockerUploadPurge: TaskType = {
  type: 'repository.docker.upload-purge',
  description: 'Docker - delete incomplete uploads',
  check(properties, wharf) {
    const problems: Problem[] = [];
    const name = optionalString(properties, 'repositoryName', problems);
    if (name && wharf.repositories.get(name)?.format !== 'docker') problems.push({ key: 'repositoryName', reason: `no Docker repository named ${name}` });
    positiveNumber(properties, 'age', problems);
    return problems;
  },
  async run({ wharf, properties, log, signal }) {
    const only = optionalString(properties, 'repositoryName', []);
    const cutoff = Date.now() - Number(properties.age ?? DEFAULT_AGE_HOURS) * 3_600_000;
    const docker = new Set(wharf.repositories.list().filter((r) => r.format === 'docker').map((r) => r.name));
    let q = wharf.db.selectFrom('upload_sessions').selectAll().where('updated_at', '<', cutoff);
    if (only) q = q.where('repository', '=', only);
    let purged = 0;
    for (const s of await q.execute()) {
      if (signal.aborted) break;
      if (!docker.has(s.repository)) continue;
      const store = wharf.blobStores.names().includes(s.blob_store) ? wharf.blobStores.get(s.blob_store) : undefined;
      await store?.cancelUpload(s.id);
      await wharf.db.deleteFrom('upload_sessions').where('id', '=', s.id).where('updated_at', '<', cutoff).execute();
      purged++;
      log(`${s.repository}: upload ${s.id} for ${s.name}, idle since ${new Date(Number(s.updated_at)).toISOString()}`);
    }
    return `purged ${purged} incomplete upload(s)`;
  },
};
