// Blob store quotas (Nexus's soft quota, and Wharf's hard quota of the same shape): sizes, the check, the error.
import { DeniedError } from '../repository/errors.js';

export const QUOTA_TYPES = ['spaceUsedQuota', 'spaceRemainingQuota'] as const;

export interface Quota {
  /** spaceUsedQuota: bytes stored may not exceed `limit`; spaceRemainingQuota: free space may not fall below it. */
  type: (typeof QUOTA_TYPES)[number];
  limit: number; // bytes
}

/** What a quota is measured against. availableSpaceInBytes is undefined when unbounded (S3). */
export interface SpaceFigures {
  totalSizeInBytes: number;
  availableSpaceInBytes?: number;
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/** "500GB", "1.5 TiB", "10m", "2048" -> bytes (K/M/G/T/P with or without B or iB: powers of 1024). */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGTP])(?:i?B)?|(B)?)\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? m[3] ?? '').toUpperCase()]);
}

export function formatSize(bytes: number): string {
  for (const unit of ['TB', 'GB', 'MB', 'KB']) {
    const size = UNITS[unit[0]];
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}

/** Bytes that may still be written before `quota` is exceeded (Infinity when it cannot be measured). */
export function room(quota: Quota, space: SpaceFigures): number {
  if (quota.type === 'spaceUsedQuota') return quota.limit - space.totalSizeInBytes;
  return space.availableSpaceInBytes === undefined ? Infinity : space.availableSpaceInBytes - quota.limit;
}

/** A sentence saying how `quota` is exceeded, or undefined when it is not (a soft quota is exceeded only past
 *  its limit, a hard one already at it: no more bytes fit). */
export function violation(store: string, kind: 'soft' | 'hard', quota: Quota, space: SpaceFigures): string | undefined {
  const left = room(quota, space);
  if (left > 0 || (left === 0 && kind === 'soft')) return undefined;
  return quota.type === 'spaceUsedQuota'
    ? `blob store ${store} is over its ${kind} quota: ${formatSize(space.totalSizeInBytes)} used of ${formatSize(quota.limit)} (spaceUsedQuota)`
    : `blob store ${store} is over its ${kind} quota: ${formatSize(space.availableSpaceInBytes ?? 0)} free, below ${formatSize(quota.limit)} (spaceRemainingQuota)`;
}

/** A write refused by a hard quota. A DeniedError, so every format answers it in its own "denied" shape. */
export class BlobStoreQuotaError extends DeniedError {
  constructor(readonly store: string, quota: Quota, space: SpaceFigures, incoming: number) {
    super(`blob store ${store} is over its hard quota: ${quota.type === 'spaceUsedQuota'
      ? `${formatSize(space.totalSizeInBytes)} used, ${formatSize(incoming)} more would exceed the limit of ${formatSize(quota.limit)}`
      : `${formatSize(incoming)} more would leave less than ${formatSize(quota.limit)} free`}; reads keep working`);
  }
}
