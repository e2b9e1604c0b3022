// REST v1 component upload, as Nexus: POST /components?repository=<name> with a multipart/form-data body whose
// fields the repository's format defines (raw: raw.directory, raw.asset1, raw.asset1.filename ...). This file
// knows no format: it checks the repository and the add privilege, then feeds the parts, in order, to the
// format's upload hook (Format.upload), which stages files as they stream in and stores them at the end.
import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { formats } from '../formats/index.js';
import { InvalidError, NotFoundError } from '../repository/errors.js';
import { authorize, canBrowse } from '../security/access.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, NoContent } from './schemas.js';

const Query = Type.Object({
  repository: Type.String({ description: 'The repository to upload to', examples: ['raw-hosted'] }),
});

const LIMITS = {
  fieldSize: 64 * 1024, // text fields are names and paths
  fields: 2000,
  files: 1000,
  fileSize: Number.MAX_SAFE_INTEGER, // files stream to the blob store: no size limit here
  parts: 3000,
};

export function registerComponentUploadRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.register(async (scope) => {
    // Scoped to this route: no other REST route parses multipart bodies.
    await scope.register(multipart, { limits: LIMITS });
    scope.post<{ Querystring: Static<typeof Query> }>('/components', {
      schema: {
        tags: ['components'], summary: 'Upload a component',
        description: 'A multipart/form-data form whose fields depend on the format. raw: `raw.directory` (optional), '
          + 'then for N = 1, 2 ...: the file `raw.assetN` and `raw.assetN.filename` (its path below the directory). '
          + 'Needs the add privilege on the repository (nx-repository-view-<format>-<repository>-add).',
        consumes: ['multipart/form-data'],
        querystring: Query,
        response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      const repo = wharf.repositories.get(request.query.repository);
      if (!repo || !canBrowse(wharf.access, request.user, repo)) {
        request.raw.resume();
        throw new NotFoundError('repository', `no repository named ${request.query.repository}`);
      }
      authorize(wharf.access, request.user, repo, 'add');
      const format = formats[repo.format];
      if (!format?.upload) throw new InvalidError('UPLOAD_UNSUPPORTED', `uploading components to ${repo.format} repositories is unsupported`);
      if (!request.isMultipart()) throw new InvalidError('BODY_INVALID', 'the body must be multipart/form-data');
      const upload = format.upload(wharf, repo, request);
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') await upload.file(part.fieldname, part.filename, part.file);
          else upload.field(part.fieldname, String(part.value));
        }
        await upload.finish();
      } catch (err) {
        request.raw.resume(); // let the client finish sending, so it reads the error
        throw err;
      } finally {
        await upload.abort();
      }
      return reply.code(204).send();
    });
  });
}
