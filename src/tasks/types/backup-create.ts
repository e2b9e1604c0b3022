// backup.create: `wharf backup create` on a schedule, into `location` (absolute, or relative to WHARF_DATA).
// Incremental by content address: each run copies the database and only the blobs the directory lacks.
import { isAbsolute, join } from 'node:path';
import type { Problem } from '../../repository/format.js';
import { createBackup } from '../../storage/backup.js';
import { formatBytes, type TaskType } from '../task-type.js';

export const backupCreate: TaskType = {
  type: 'backup.create',
  description: 'Admin - back up the database and blobs',
  check(properties) {
    const problems: Problem[] = [];
    if (typeof properties.location !== 'string' || !properties.location) problems.push({ key: 'location', reason: 'required: the backup directory' });
    return problems;
  },
  async run({ wharf, properties, log }) {
    const location = String(properties.location);
    const dir = isAbsolute(location) ? location : join(wharf.settings.dataDir, location);
    const result = await createBackup(wharf.settings, dir);
    log(`backup in ${dir}: ${result.blobs} blob(s), ${result.copied} copied now`);
    return `backup in ${dir}: ${result.blobs} blobs (${formatBytes(result.bytes)}), ${result.copied} copied`;
  },
};
