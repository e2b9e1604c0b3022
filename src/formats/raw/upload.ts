// Raw's part of the component upload (REST POST /components?repository=<raw hosted>, multipart/form-data), with
// Nexus's field names: `raw.directory` (optional, default the root), and for N = 1, 2 ... a file part
// `raw.assetN` with a text field `raw.assetN.filename` (the path below the directory; default the part's own
// file name). Files are staged in the repository's blob store as they arrive (any size, never in memory);
// finish() checks the form and stores every file, or none when the form is wrong.
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { DeniedError, InvalidError } from '../../repository/errors.js';
import type { ComponentUpload } from '../../repository/format.js';
import { writePolicy, type RepositoryConfig } from '../../repository/model.js';
import { StagedFile } from '../../repository/staged.js';
import type { Wharf } from '../../wharf.js';
import { audited } from './audit.js';
import { HostedRawStore } from './hosted.js';
import { checkDirectory, checkFilePath } from './path.js';
import { rawStore } from './stores.js';

const ASSET = /^raw\.asset(\d+)$/;
const FILENAME = /^raw\.asset(\d+)\.filename$/;
const MAX_ASSETS = 1000;

export function rawUpload(wharf: Wharf, repo: RepositoryConfig, request: FastifyRequest): ComponentUpload {
  const store = rawStore(wharf, repo);
  if (!(store instanceof HostedRawStore)) throw new InvalidError('UPLOAD_UNSUPPORTED', `uploading components to a ${repo.type} repository is unsupported (${repo.name}); upload to a hosted one`);
  if (writePolicy(repo) === 'deny') throw new DeniedError(`repository ${repo.name} is read-only (write policy deny)`);
  const fields = new Map<string, string>();
  const files = new Map<string, { staged: StagedFile; filename: string }>();

  const cancelAll = async () => {
    for (const f of files.values()) await f.staged.cancel();
  };

  return {
    field(name, value) {
      if (name !== 'raw.directory' && !FILENAME.test(name)) throw new InvalidError('FIELD_INVALID', `unknown field ${name} (raw takes raw.directory, raw.assetN, raw.assetN.filename)`);
      fields.set(name, value);
    },
    async file(name: string, filename: string, stream: Readable) {
      if (!ASSET.test(name)) {
        stream.resume();
        throw new InvalidError('FIELD_INVALID', `unknown file field ${name} (raw takes raw.asset1, raw.asset2 ...)`);
      }
      if (files.has(name)) throw new InvalidError('FIELD_INVALID', `${name} is given twice`);
      if (files.size >= MAX_ASSETS) throw new InvalidError('FIELD_INVALID', `more than ${MAX_ASSETS} files in one upload`);
      files.set(name, { staged: await StagedFile.from(store.blobs, stream), filename });
    },
    async finish() {
      if (!files.size) throw new InvalidError('FIELD_INVALID', 'no file: send at least raw.asset1');
      for (const name of fields.keys()) {
        const n = FILENAME.exec(name)?.[1];
        if (n && !files.has(`raw.asset${n}`)) throw new InvalidError('FIELD_INVALID', `${name} has no file raw.asset${n}`);
      }
      const directory = checkDirectory(fields.get('raw.directory') ?? '');
      const planned = new Map<string, StagedFile>();
      for (const [name, { staged, filename }] of files) {
        const given = fields.get(`${name}.filename`) ?? filename;
        if (!given) throw new InvalidError('FIELD_INVALID', `${name}.filename is required (the part has no file name)`);
        const path = checkFilePath(directory ? `${directory}/${given}` : given);
        if (planned.has(path)) throw new InvalidError('FIELD_INVALID', `two files for ${path}`);
        planned.set(path, staged);
      }
      const paths: string[] = [];
      for (const [path, staged] of planned) {
        await audited(wharf, request, repo, 'push', path, () => store.store(path, staged), (s) => ({ sha256: s.sha256, size: s.size, created: s.created, via: 'components' }));
        paths.push(path);
      }
      return paths;
    },
    abort: cancelAll,
  };
}
