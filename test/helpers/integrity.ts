// Checks a Wharf data directory the hard way, for the reliability suite: hashes every committed blob file,
// fetches every blob and manifest the database says a Docker repository holds and hashes what is served,
// runs SQLite's integrity check, and measures the temp/upload areas.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { adminAuth } from './wharf.js';
import { queryTestDatabase } from './postgres.js';

/** sha256 hex of a file. */
function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('error', reject).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex')));
  });
}

/** Files under `dir` (recursively) with their sizes; a missing directory has none. */
export async function filesUnder(dir: string): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...await filesUnder(path));
    else if (e.isFile()) out.push({ path, size: (await stat(path)).size });
  }
  return out;
}

/** Committed blob files of a file blob store whose content does not hash to their name (should be none). */
export async function corruptBlobFiles(storeRoot: string): Promise<string[]> {
  const bad: string[] = [];
  const files = await filesUnder(join(storeRoot, 'content', 'sha256'));
  for (const f of files) {
    const name = f.path.split('/').pop()!;
    if (await hashFile(f.path) !== name) bad.push(f.path);
  }
  if (!files.length) throw new Error(`no blob files under ${storeRoot}: wrong store path?`);
  return bad;
}

/** `PRAGMA integrity_check` of a SQLite file: 'ok' or the problems it lists. */
export function sqliteIntegrity(dbFile: string): string {
  const db = new SqliteDatabase(dbFile, { readonly: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
  } finally {
    db.close();
  }
}

export interface StoredDockerContent {
  repository: string;
  /** image name, '' for blobs (held by the repository as a whole). */
  name: string;
  kind: string;
  digest: string;
  size: number;
}

/** Every Docker blob and manifest the database of a data directory records, read straight from the database. */
export function dockerContent(dataDir: string): Promise<StoredDockerContent[]> {
  return queryTestDatabase<StoredDockerContent>(dataDir, `SELECT repository, name, kind, 'sha256:' || sha256 AS digest, size FROM assets
    WHERE kind IN ('docker.blob', 'docker.manifest') AND sha256 IS NOT NULL ORDER BY id`);
}

/** Fetches every recorded blob and manifest through /v2 and returns those served with other bytes (should be none). */
export async function corruptServed(url: string, content: StoredDockerContent[], concurrency = 8): Promise<string[]> {
  const bad: string[] = [];
  const queue = [...content];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const path = c.kind === 'docker.blob' ? `${c.repository}/any/blobs/${c.digest}` : `${c.repository}/${c.name}/manifests/${c.digest}`;
      const res = await fetch(`${url}/v2/${path}`, {
        headers: { authorization: adminAuth, accept: '*/*, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (res.status !== 200 || got !== c.digest || bytes.length !== Number(c.size)) bad.push(`${path}: ${res.status}, ${bytes.length} bytes hashing to ${got}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return bad;
}
