// Table types of the database, as Kysely sees them. Times are milliseconds since the epoch; JSON columns are text.
import type { Generated } from 'kysely';

export interface BlobStoreTable {
  name: string;
  type: string;
  attributes: string; // JSON: type-specific settings (path, bucket, quota ...)
}

export interface RepositoryTable {
  name: string;
  format: string;
  type: string; // hosted | proxy | group
  config: string; // JSON: the whole repository configuration, as in the REST API
  created_at: number;
  updated_at: number;
}

/** A component is a versioned thing users think about: an image tag, a package version. */
export interface ComponentTable {
  id: Generated<number>;
  repository: string;
  namespace: string;
  name: string;
  version: string;
  created_at: number;
  updated_at: number;
}

/** An asset is one stored file or document of a repository, at a path unique within it. */
export interface AssetTable {
  id: Generated<number>;
  repository: string;
  path: string;
  kind: string; // format-defined, e.g. docker.blob, docker.manifest, docker.tag
  name: string; // the package/image the asset belongs to ('' when none)
  component_id: number | null;
  sha256: string | null; // the blob holding the bytes, in the repository's blob store
  size: number;
  content_type: string;
  attributes: string; // JSON, format-defined
  created_at: number;
  updated_at: number;
  last_downloaded_at: number | null;
}

/** "This asset references that digest": manifest -> layers, index -> manifests, referrer -> subject. */
export interface AssetRefTable {
  asset_id: number;
  digest: string;
  kind: string;
}

/** A resumable upload: state here, bytes in the blob store's uploads area, so any node can continue it. */
export interface UploadSessionTable {
  id: string;
  repository: string;
  name: string;
  blob_store: string;
  created_at: number;
  updated_at: number;
}

export interface UserTable {
  user_id: string;
  first_name: string;
  last_name: string;
  email: string;
  password_hash: string;
  status: string; // active | disabled
  roles: string; // JSON array of role ids
  created_at: number;
  source: Generated<string>; // default (local) | ldap
}

export interface RoleTable {
  id: string;
  name: string;
  description: string;
  privileges: string; // JSON array of privilege names
  roles: string; // JSON array of contained role ids
  source: string;
  read_only: number;
}

/** API tokens for CI: the secret is shown once; only its hash is kept. */
export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  privileges: string; // JSON array: the subset of the user's privileges it may use ([] = all of them)
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

/** One audit event: who did what to which object, when, from where, and whether it worked. Never a secret. */
export interface AuditEventTable {
  id: Generated<number>;
  timestamp: number;
  user_id: string; // the principal, the user name a failed login tried, 'anonymous' or 'system'
  domain: string; // security.login, security.user, security.role, security.token, repository, repository.content, blobstore, settings
  type: string; // create, update, delete, push, login-failed, login-blocked ...
  repository: string | null;
  object: string; // the object acted on: a user id, a repository name, image:tag ...
  outcome: string; // success | failure
  remote_address: string | null;
  attributes: string; // JSON: event-specific detail (digest, media type, reason ...)
}

export interface KvTable {
  key: string;
  value: string;
}

export interface Database {
  blob_stores: BlobStoreTable;
  repositories: RepositoryTable;
  components: ComponentTable;
  assets: AssetTable;
  asset_refs: AssetRefTable;
  upload_sessions: UploadSessionTable;
  users: UserTable;
  roles: RoleTable;
  api_tokens: ApiTokenTable;
  audit_events: AuditEventTable;
  kv: KvTable;
}
