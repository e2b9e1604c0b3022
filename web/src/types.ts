// The REST API's shapes the UI reads (see /service/rest/openapi.json).

export interface RepositorySummary { name: string; format: string; type: string; url: string; attributes: Record<string, any> }
export interface RepositoryConfig {
  name: string; format: string; type: string; url?: string; online: boolean;
  storage?: { blobStoreName?: string; strictContentTypeValidation?: boolean; writePolicy?: string; latestPolicy?: boolean };
  group?: { memberNames: string[]; writableMember?: string | null };
  proxy?: { remoteUrl: string; contentMaxAge?: number; metadataMaxAge?: number };
  negativeCache?: { enabled?: boolean; timeToLive?: number };
  cleanup?: { policyNames?: string[] } | null;
  docker?: { httpPort?: number | null; httpsPort?: number | null; [k: string]: unknown } | null;
  dockerProxy?: { indexType?: string; [k: string]: unknown } | null;
  raw?: { contentDisposition?: string } | null;
  [key: string]: unknown;
}
export interface RepositoryStatus { name: string; online: boolean; upstream?: { status: string; reason?: string; blockedUntil?: string } }
export interface Asset {
  id: string; path: string; downloadUrl: string; repository: string; format: string; checksum: Record<string, string>;
  contentType: string; lastModified: string | null; lastDownloaded: string | null; uploader: string | null; fileSize: number; blobCreated?: string | null;
}
export interface Component { id: string; repository: string; format: string; group: string | null; name: string; version: string; assets: Asset[] }
export interface Page<T> { items: T[]; continuationToken: string | null }
export interface BlobStore {
  name: string; type: string; unavailable: boolean; blobCount: number; totalSizeInBytes: number; availableSpaceInBytes: number | null;
  reclaimableSizeInBytes?: number; softQuota: { type: string; limit: number } | null; hardQuota?: { type: string; limit: number } | null;
}
export interface CleanupPolicy {
  name: string; format: string; notes: string;
  criteria: { lastBlobUpdated?: number; lastDownloaded?: number; prerelease?: boolean; regex?: string; retain?: number };
}
export interface CleanupPreview { total: number; items: { repository: string; name: string; version: string; lastUpdated: string; lastDownloaded: string | null }[] }
export interface Task {
  id: string; name: string; type: string; message: string | null; currentState: 'WAITING' | 'RUNNING'; lastRunResult: string | null;
  nextRun: string | null; lastRun: string | null; frequency: string; cron?: string; startTime?: string; enabled: boolean;
  properties: Record<string, unknown>; lastRunDurationMs: number | null;
}
export interface TaskRun { id: number; trigger: string; node: string; state: string; message: string; startedAt: string; endedAt: string | null; durationMs: number | null; log: string[] }
export interface User { userId: string; firstName: string; lastName: string; emailAddress: string; source: string; status: string; readOnly: boolean; roles: string[] }
export interface Role { id: string; name: string; description: string; privileges: string[]; roles: string[]; source: string; readOnly: boolean }
export interface Privilege { type: string; name: string; description: string; readOnly: boolean; [k: string]: unknown }
export interface ApiToken { id: string; name: string; userId: string; privileges: string[]; createdAt: string; expiresAt: string | null; lastUsedAt: string | null }
export interface AuditEvent {
  id: number; timestamp: string; userId: string; domain: string; type: string; repository: string | null; object: string;
  outcome: string; remoteAddress: string | null; attributes: Record<string, unknown>;
}
