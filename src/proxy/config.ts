// The proxy sections of a repository's configuration (Nexus's field names), with their defaults.
import type { RepositoryConfig } from '../repository/model.js';

export interface ProxySettings {
  remoteUrl: string;
  /** Minutes cached content is kept before it is checked again; -1 = forever. */
  contentMaxAge: number;
  /** Minutes cached metadata (tags, indexes) is fresh. */
  metadataMaxAge: number;
  negativeCache: { enabled: boolean; timeToLive: number };
  blocked: boolean;
  autoBlock: boolean;
  /** Seconds before an upstream request is abandoned. */
  timeout: number;
  retries: number;
  authentication?: { type: 'username'; username: string; password: string };
  tls: { caFile?: string; insecureSkipVerify: boolean };
}

interface RawProxyConfig {
  proxy?: { remoteUrl?: string; contentMaxAge?: number; metadataMaxAge?: number };
  negativeCache?: { enabled?: boolean; timeToLive?: number };
  httpClient?: {
    blocked?: boolean;
    autoBlock?: boolean;
    connection?: { timeout?: number; retries?: number };
    authentication?: { type?: string; username?: string; password?: string };
    tls?: { caFile?: string; insecureSkipVerify?: boolean };
  };
}

export function proxySettings(repo: RepositoryConfig): ProxySettings {
  const r = repo as RepositoryConfig & RawProxyConfig;
  const auth = r.httpClient?.authentication;
  return {
    remoteUrl: (r.proxy?.remoteUrl ?? '').replace(/\/+$/, ''),
    contentMaxAge: r.proxy?.contentMaxAge ?? -1,
    metadataMaxAge: r.proxy?.metadataMaxAge ?? 1440,
    negativeCache: { enabled: r.negativeCache?.enabled ?? true, timeToLive: r.negativeCache?.timeToLive ?? 1440 },
    blocked: r.httpClient?.blocked ?? false,
    autoBlock: r.httpClient?.autoBlock ?? true,
    timeout: r.httpClient?.connection?.timeout ?? 60,
    retries: r.httpClient?.connection?.retries ?? 0,
    authentication: auth?.type === 'username' && auth.username
      ? { type: 'username', username: auth.username, password: auth.password ?? '' } : undefined,
    tls: { caFile: r.httpClient?.tls?.caFile, insecureSkipVerify: r.httpClient?.tls?.insecureSkipVerify ?? false },
  };
}
