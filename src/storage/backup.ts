// Backups of a data directory, safe while a server runs on it. Layout of a backup directory:
//
//   DIR/backup.json                      what was copied: stores, blob count and bytes, when
//   DIR/db/wharf.sqlite                  consistent copy (SQLite online backup API)
//   DIR/blobs/<store>/<sha256 2>/<sha256> every blob the copied database references
//   DIR/wharf.yaml                       the configuration file, when there is one
//
// The database is copied first; blobs are content-addressed and never rewritten, so copying the blobs
// that copy references afterwards gives a consistent whole. A second backup into the same directory copies
// only blobs it does not have yet (incremental by content address).
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createReadStream, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Settings } from '../config/settings.js';
import { isPostgresUrl } from './postgres.js';

interface StoreEntry {
  name: string;
  type: string;
  path: string;
}

export interface BackupManifest {
  format: 1;
  createdAt: string;
  stores: StoreEntry[];
  blobs: number;
  bytes: number;
}

export interface BackupResult extends BackupManifest {
  copied: number;
}

const DB_FILE = join('db', 'wharf.sqlite');

function sqliteFile(settings: Settings): string {
  if (isPostgresUrl(settings.db)) {
    // A database dump and the blob copy cannot be made consistent from here; PostgreSQL's own tools can.
    throw new Error('WHARF_DB is PostgreSQL: back the database up with pg_dump (or your PostgreSQL backups) and the blob stores with their own tools, database first (README, PostgreSQL); `wharf backup` copies SQLite data directories');
  }
  return settings.db;
}

function storeRoot(dataDir: string, store: StoreEntry): string {
  return isAbsolute(store.path) ? store.path : join(dataDir, store.path);
}

/** Blob stores and the sha256 of every blob some asset references, per store, read from a database file. */
function referencedBlobs(dbFile: string): { stores: StoreEntry[]; blobs: Map<string, Set<string>> } {
  const db = new SqliteDatabase(dbFile, { readonly: true });
  try {
    const stores = (db.prepare('SELECT name, type, attributes FROM blob_stores').all() as { name: string; type: string; attributes: string }[])
      .map((s) => ({ name: s.name, type: s.type, path: (JSON.parse(s.attributes) as { path?: string }).path ?? join('blobs', s.name) }));
    const rows = db.prepare(`SELECT DISTINCT json_extract(r.config, '$.storage.blobStoreName') AS store, a.sha256 AS sha256
      FROM assets a JOIN repositories r ON r.name = a.repository WHERE a.sha256 IS NOT NULL`).all() as { store: string; sha256: string }[];
    const blobs = new Map<string, Set<string>>();
    for (const r of rows) {
      if (!blobs.has(r.store)) blobs.set(r.store, new Set());
      blobs.get(r.store)!.add(r.sha256);
    }
    return { stores, blobs };
  } finally {
    db.close();
  }
}

const blobFile = (root: string, sha256: string) => join(root, sha256.slice(0, 2), sha256);
const liveBlobFile = (root: string, sha256: string) => join(root, 'content', 'sha256', sha256.slice(0, 2), sha256);

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Copies `from` to `to` through a temporary name, so a crash never leaves a partial file under the final name. */
async function copyAtomically(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temp = `${to}.partial`;
  await copyFile(from, temp);
  await rename(temp, to);
}

/** Makes (or refreshes) a backup in `dir`. Throws when a referenced blob is missing from its store. */
export async function createBackup(settings: Settings, dir: string): Promise<BackupResult> {
  const source = sqliteFile(settings);
  await mkdir(join(dir, 'db'), { recursive: true });
  const dbCopy = join(dir, DB_FILE);
  const live = new SqliteDatabase(source, { fileMustExist: true });
  try {
    await live.backup(`${dbCopy}.partial`);
  } finally {
    live.close();
  }
  await rename(`${dbCopy}.partial`, dbCopy);
  const { stores, blobs } = referencedBlobs(dbCopy);
  let count = 0;
  let bytes = 0;
  let copied = 0;
  const missing: string[] = [];
  for (const store of stores) {
    if (store.type !== 'file') throw new Error(`blob store ${store.name} is of type ${store.type}; this command backs up file blob stores`);
    for (const sha256 of blobs.get(store.name) ?? []) {
      const from = liveBlobFile(storeRoot(settings.dataDir, store), sha256);
      const to = blobFile(join(dir, 'blobs', store.name), sha256);
      const size = await stat(from).then((s) => s.size, () => undefined);
      if (size === undefined) {
        missing.push(`${store.name}/${sha256}`);
        continue;
      }
      count++;
      bytes += size;
      if ((await stat(to).then((s) => s.size, () => -1)) === size) continue;
      await copyAtomically(from, to);
      copied++;
    }
  }
  if (settings.configFile && existsSync(settings.configFile)) await copyFile(settings.configFile, join(dir, 'wharf.yaml'));
  if (missing.length) throw new Error(`the database references blobs that are not in their store: ${missing.slice(0, 10).join(', ')}`);
  const manifest: BackupManifest = { format: 1, createdAt: new Date().toISOString(), stores, blobs: count, bytes };
  await writeFile(join(dir, 'backup.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { ...manifest, copied };
}

/** Checks a backup: database integrity, every referenced blob present, every blob file rehashed. Returns the problems. */
export async function verifyBackup(dir: string): Promise<{ blobs: number; problems: string[] }> {
  const problems: string[] = [];
  const manifest = JSON.parse(await readFile(join(dir, 'backup.json'), 'utf8')) as BackupManifest;
  const dbCopy = join(dir, DB_FILE);
  const db = new SqliteDatabase(dbCopy, { readonly: true, fileMustExist: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  db.close();
  if (integrity !== 'ok') problems.push(`database: ${String(integrity)}`);
  const { blobs } = referencedBlobs(dbCopy);
  let checked = 0;
  for (const store of manifest.stores) {
    const root = join(dir, 'blobs', store.name);
    const wanted = blobs.get(store.name) ?? new Set<string>();
    for (const sha256 of wanted) if (!existsSync(blobFile(root, sha256))) problems.push(`${store.name}: blob ${sha256} is missing`);
    for (const prefix of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(join(root, prefix))) {
        checked++;
        const actual = await sha256Of(join(root, prefix, name));
        if (actual !== basename(name)) problems.push(`${store.name}: blob ${name} is corrupt (its content hashes to ${actual})`);
      }
    }
  }
  return { blobs: checked, problems };
}

/** Restores a backup into the data directory of `settings`, which must not hold a database or blobs yet. */
export async function restoreBackup(settings: Settings, dir: string): Promise<BackupManifest> {
  const target = sqliteFile(settings);
  const manifest = JSON.parse(await readFile(join(dir, 'backup.json'), 'utf8')) as BackupManifest;
  if (existsSync(target)) throw new Error(`${target} exists: restore goes into an empty data directory`);
  for (const store of manifest.stores) {
    const root = storeRoot(settings.dataDir, store);
    if ((await readdir(join(root, 'content')).catch(() => [])).length) throw new Error(`blob store directory ${root} is not empty`);
  }
  for (const store of manifest.stores) {
    const from = join(dir, 'blobs', store.name);
    const root = storeRoot(settings.dataDir, store);
    for (const prefix of await readdir(from).catch(() => [] as string[])) {
      for (const name of await readdir(join(from, prefix))) await copyAtomically(join(from, prefix, name), liveBlobFile(root, name));
    }
  }
  const yaml = join(dir, 'wharf.yaml');
  const config = join(settings.dataDir, 'wharf.yaml');
  if (existsSync(yaml) && !existsSync(config)) await copyFile(yaml, config);
  await copyAtomically(join(dir, DB_FILE), target); // last: a data directory with a database is a restored one
  return manifest;
}
