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

/** A cleanup policy (Nexus's): criteria ANDed, applied to the repositories that name it. */
export interface CleanupPolicyTable {
  name: string;
  format: string;
  notes: string;
  criteria: string; // JSON: { lastBlobUpdated, lastDownloaded, prerelease, regex, retain }
  created_at: number;
  updated_at: number;
}

/** A scheduled task: type, schedule (JSON: { type: manual|cron|daily|weekly|monthly, cron }) and properties. */
export interface TaskTable {
  id: string;
  name: string;
  type: string;
  schedule: string;
  properties: string; // JSON, type-defined
  enabled: number;
  source: string; // api | config | default
  last_slot: number | null; // the scheduled time last claimed, so each firing runs on one node only
  created_at: number;
  updated_at: number;
}

/** One run of a task: its outcome, message and log. */
export interface TaskRunTable {
  id: Generated<number>;
  task_id: string;
  trigger: string; // schedule | manual
  node: string;
  state: string; // running | ok | failed | stopped
  message: string;
  log: string;
  started_at: number;
  ended_at: number | null;
}

/** Who runs a task right now: held by one node, renewed while it runs, taken over only once expired. */
export interface TaskLeaseTable {
  task_id: string;
  node: string;
  run_id: number;
  expires_at: number;
  stop_requested: number;
}

/** A blob no asset references, soft-deleted by GC; compaction removes its bytes (state marked -> deleting). */
export interface BlobMarkTable {
  blob_store: string;
  sha256: string;
  size: number;
  state: string; // marked | deleting
  marked_at: number;
}

export interface KvTable {
  key: string;
  value: string;
}

/** A webhook (Wharf's take on Nexus's webhook capability): where to POST which events, signed with its secret. */
export interface WebhookTable {
  id: string;
  name: string;
  url: string;
  events: string; // JSON array: repository, component, asset, audit
  repository: string | null; // null: global
  secret: string | null; // write-only through the API
  created_at: number;
  updated_at: number;
}

/** One delivery of one event to one webhook, updated after each attempt. */
export interface WebhookDeliveryTable {
  id: Generated<number>;
  webhook_id: string;
  delivery_id: string; // X-Nexus-Webhook-Delivery
  event: string; // rm:repository:component ...
  action: string | null; // CREATED, UPDATED, DELETED
  state: string; // pending | delivered | failed
  attempts: number;
  status_code: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
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
  cleanup_policies: CleanupPolicyTable;
  tasks: TaskTable;
  task_runs: TaskRunTable;
  task_leases: TaskLeaseTable;
  blob_marks: BlobMarkTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
}
