// The repository model shared by every format: a hosted, proxy or group repository with storage settings
// and format-specific attributes kept as the REST API / wharf.yaml shape (Nexus's field names).

export type RepositoryType = 'hosted' | 'proxy' | 'group';
export type WritePolicy = 'allow' | 'allow_once' | 'deny';

export interface StorageConfig {
  blobStoreName: string;
  strictContentTypeValidation?: boolean;
  writePolicy?: WritePolicy;
  /** Docker: with allow_once, `latest` may still be moved. */
  latestPolicy?: boolean;
}

export interface GroupConfig {
  memberNames: string[];
  writableMember?: string;
  writeRoutes?: { tagPattern: string; member: string }[];
}

export interface RepositoryConfig {
  name: string;
  format: string;
  type: RepositoryType;
  online: boolean;
  storage: StorageConfig;
  group?: GroupConfig;
  cleanup?: { policyNames: string[] };
  /** Format- and type-specific sections (docker, proxy, httpClient ...), validated by the format. */
  [section: string]: unknown;
}

export const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** What a write to `repo` that would replace existing content is allowed to do. */
export function writePolicy(repo: RepositoryConfig): WritePolicy {
  return repo.storage.writePolicy ?? 'allow';
}
