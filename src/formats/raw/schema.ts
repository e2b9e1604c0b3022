// Raw's section of a repository body (REST and wharf.yaml), in Nexus's shape: `raw: { contentDisposition }`,
// and the example bodies the OpenAPI document shows. The core composes them with the shared sections.
import { Type } from '@sinclair/typebox';
import type { Format } from '../../repository/format.js';
import type { RepositoryConfig } from '../../repository/model.js';

export type ContentDisposition = 'INLINE' | 'ATTACHMENT';

export const rawSections: NonNullable<Format['sections']> = {
  raw: {
    types: ['hosted', 'proxy', 'group'],
    schema: Type.Object({
      contentDisposition: Type.Optional(Type.Union([Type.Literal('INLINE'), Type.Literal('ATTACHMENT')], {
        description: 'INLINE: browsers show files (static sites); ATTACHMENT (default, as Nexus): browsers download them. Any case.',
      })),
    }, { additionalProperties: false, description: 'Raw settings' }),
  },
};

/** `raw.contentDisposition` in its canonical (upper) case, in place. */
export function normaliseRaw(repo: Record<string, any>): void {
  if (typeof repo.raw?.contentDisposition === 'string') repo.raw.contentDisposition = repo.raw.contentDisposition.toUpperCase();
}

export function contentDisposition(repo: RepositoryConfig): ContentDisposition {
  const value = (repo.raw as { contentDisposition?: string } | undefined)?.contentDisposition;
  return value?.toUpperCase() === 'INLINE' ? 'INLINE' : 'ATTACHMENT';
}

const storage = { blobStoreName: 'default', strictContentTypeValidation: true };

export const rawExamples: NonNullable<Format['examples']> = {
  hosted: { name: 'raw-hosted', online: true, storage: { ...storage, writePolicy: 'allow_once' }, raw: { contentDisposition: 'ATTACHMENT' } },
  proxy: {
    name: 'raw-proxy', online: true, storage,
    proxy: { remoteUrl: 'https://downloads.example.com/releases', contentMaxAge: 1440, metadataMaxAge: 1440 },
    negativeCache: { enabled: true, timeToLive: 1440 }, httpClient: { blocked: false, autoBlock: true },
    raw: { contentDisposition: 'ATTACHMENT' },
  },
  group: { name: 'raw-all', online: true, storage, group: { memberNames: ['raw-hosted', 'raw-proxy'] }, raw: { contentDisposition: 'INLINE' } },
};
