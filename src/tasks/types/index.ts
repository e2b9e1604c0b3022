// Task types by name. Adding one is a file in this folder and a line here.
import type { TaskType } from '../task-type.js';
import { backupCreate } from './backup-create.js';
import { blobstoreCompact } from './blobstore-compact.js';
import { repositoryCleanup } from './repository-cleanup.js';
import { repositoryDockerGc } from './repository-docker-gc.js';
import { repositoryDockerUploadPurge } from './repository-docker-upload-purge.js';

export const taskTypes: Record<string, TaskType> = Object.fromEntries(
  [repositoryCleanup, repositoryDockerGc, blobstoreCompact, repositoryDockerUploadPurge, backupCreate].map((t) => [t.type, t]),
);
