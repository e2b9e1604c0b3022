// Components and assets as the REST API shows them (Nexus's item shapes), their opaque ids, and the
// continuation tokens of paged lists. An id is base64url("<repository>:<row id>"), as Nexus's ids name their
// repository, so a lookup checks the caller may see that repository before reading anything.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import { formats } from '../formats/index.js';
import { InvalidError, NotFoundError } from '../repository/errors.js';
import type { RepositoryConfig } from '../repository/model.js';
import { canBrowse } from '../security/access.js';
import type { AssetTable, ComponentTable } from '../storage/schema.js';
import type { Wharf } from '../wharf.js';
import { baseUrl } from './repository-view.js';
import { isoDate } from './schemas.js';

export const PAGE_SIZE = 50;

export const encodeId = (repository: string, id: number) => Buffer.from(`${repository}:${id}`).toString('base64url');

/** The repository and row id an id names; NotFoundError for anything that is not one of ours. */
export function decodeId(id: string, what: 'component' | 'asset'): { repository: string; id: number } {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const at = text.lastIndexOf(':');
  const row = Number(text.slice(at + 1));
  if (at < 1 || !Number.isSafeInteger(row) || row < 1) throw new NotFoundError('asset', `no such ${what}: ${id}`);
  return { repository: text.slice(0, at), id: row };
}

/** A continuation token carries the last row id of the previous page. */
export const encodeToken = (lastId: number) => Buffer.from(String(lastId)).toString('base64url');
export function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidError('TOKEN', 'invalid continuationToken', [{ field: 'continuationToken', in: 'querystring', message: 'not a token this server gave' }]);
  return n;
}

/** The repository named, when the caller may browse it; else NotFoundError (as if it did not exist). */
export function browsable(wharf: Wharf, request: FastifyRequest, name: string): RepositoryConfig {
  const repo = wharf.repositories.get(name);
  if (!repo || !canBrowse(wharf.access, request.user, repo)) throw new NotFoundError('repository', `no such repository: ${name}`);
  return repo;
}

export type AssetRow = Selectable<AssetTable>;
export type ComponentRow = Selectable<ComponentTable>;

export function assetItem(wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig, a: AssetRow) {
  const path = formats[repo.format]?.downloadPath?.(repo, a) ?? `/repository/${repo.name}/${a.path}`;
  const attributes = JSON.parse(a.attributes) as { uploader?: string; uploaderIp?: string };
  return {
    id: encodeId(repo.name, a.id),
    path: a.path,
    downloadUrl: `${baseUrl(wharf, request)}${path}`,
    repository: repo.name,
    format: repo.format,
    checksum: a.sha256 ? { sha256: a.sha256 } : {},
    contentType: a.content_type,
    lastModified: isoDate(Number(a.updated_at)),
    lastDownloaded: a.last_downloaded_at === null ? null : isoDate(Number(a.last_downloaded_at)),
    uploader: attributes.uploader ?? null,
    uploaderIp: attributes.uploaderIp ?? null,
    fileSize: Number(a.size),
    blobCreated: isoDate(Number(a.created_at)),
  };
}

export function componentItem(wharf: Wharf, request: FastifyRequest, repo: RepositoryConfig, c: ComponentRow, assets: AssetRow[]) {
  return {
    id: encodeId(repo.name, c.id),
    repository: repo.name,
    format: repo.format,
    group: c.namespace || null,
    name: c.name,
    version: c.version,
    assets: assets.map((a) => assetItem(wharf, request, repo, a)),
  };
}

const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const AssetSchema = Type.Object({
  id: Type.String(),
  path: Type.String(),
  downloadUrl: Type.String(),
  repository: Type.String(),
  format: Type.String(),
  checksum: Type.Object({ sha256: Type.Optional(Type.String()) }, { description: 'Checksums Wharf keeps (sha256)' }),
  contentType: Type.String(),
  lastModified: Nullable('ISO 8601'),
  lastDownloaded: Nullable('ISO 8601; null when never downloaded'),
  uploader: Nullable('Who uploaded it, when known'),
  uploaderIp: Nullable('From where, when known'),
  fileSize: Type.Integer(),
  blobCreated: Nullable('ISO 8601'),
}, {
  description: 'An asset: one stored file',
  examples: [{
    id: 'ZG9ja2VyLWhvc3RlZDo0Mg', path: 'v2/team/app/manifests/1.0', downloadUrl: 'http://localhost:8081/v2/docker-hosted/team/app/manifests/1.0',
    repository: 'docker-hosted', format: 'docker', checksum: { sha256: '3f1c…' }, contentType: 'application/vnd.oci.image.manifest.v1+json',
    lastModified: '2025-01-01T12:00:00.000Z', lastDownloaded: null, uploader: null, uploaderIp: null, fileSize: 1043, blobCreated: '2025-01-01T12:00:00.000Z',
  }],
});

export const ComponentSchema = Type.Object({
  id: Type.String(),
  repository: Type.String(),
  format: Type.String(),
  group: Nullable('The namespace (null for Docker)'),
  name: Type.String(),
  version: Type.String(),
  assets: Type.Array(AssetSchema),
}, {
  description: 'A component: an image tag, a package version',
  examples: [{ id: 'ZG9ja2VyLWhvc3RlZDo3', repository: 'docker-hosted', format: 'docker', group: null, name: 'team/app', version: '1.0', assets: [AssetSchema.examples[0]] }],
});

export const page = <T extends ReturnType<typeof Type.Object>>(item: T, description: string) => Type.Object({
  items: Type.Array(item),
  continuationToken: Type.Union([Type.String(), Type.Null()], { description: 'Pass it back for the next page; null on the last page' }),
}, { description, examples: [{ items: [item.examples?.[0]], continuationToken: null }] });
