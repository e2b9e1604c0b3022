// `wharf backup create | verify | restore` through the real CLI, while a server takes pushes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage, v2, type Image } from '../helpers/registry.js';
import { digestOf } from '../helpers/oci.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { onPostgres } from '../helpers/postgres.js';

const exec = promisify(execFile);
const servers: TestWharf[] = [];

function wharfCli(dataDir: string, ...args: string[]) {
  const db = onPostgres ? { WHARF_DB: readFileSync(join(dataDir, '.test-database-url'), 'utf8') } : {};
  return exec('node', ['bin/wharf.js', ...args], { env: { ...process.env, WHARF_DATA: dataDir, WHARF_LOG_LEVEL: 'warn', ...db } });
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

// `wharf backup` copies the SQLite file; PostgreSQL databases are backed up with pg_dump (README).
describe.skipIf(onPostgres)('backup and restore', () => {
  it('backs up while pushes run, verifies, restores into a fresh directory, and catches corruption', async () => {
    const source = await startWharf();
    servers.push(source);
    const acknowledged: [string, Image][] = [];
    for (let i = 0; i < 5; i++) acknowledged.push([`team/before-${i}`, await pushImage(source, `team/before-${i}`, '1.0', makeImage(`before-${i}`))]);

    const dir = mkdtempSync(join(tmpdir(), 'wharf-backup-'));
    const pushes = Promise.all(Array.from({ length: 10 }, (_, i) => pushImage(source, `team/during-${i}`, '1.0', makeImage(`during-${i}-${'x'.repeat(100_000)}`))));
    const created = await wharfCli(source.dataDir, 'backup', 'create', dir);
    await pushes;
    expect(created.stdout).toMatch(/backup in .*: \d+ blobs/);

    const verified = await wharfCli(source.dataDir, 'backup', 'verify', dir);
    expect(verified.stdout).toMatch(/blobs verified, database intact/);

    const restoredDir = mkdtempSync(join(tmpdir(), 'wharf-restored-'));
    await wharfCli(restoredDir, 'backup', 'restore', dir);
    const restored = await startWharf({ dataDir: restoredDir });
    servers.push(restored);
    for (const [name, image] of acknowledged) {
      const res = await v2(restored, `${name}/manifests/1.0`);
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(image.manifest.digest);
      for (const b of [image.config, ...image.layers]) {
        const blob = Buffer.from(await (await v2(restored, `${name}/blobs/${b.digest}`)).arrayBuffer());
        expect(digestOf(blob)).toBe(b.digest);
      }
    }

    // Restoring over a data directory that has a database is refused.
    await expect(wharfCli(restoredDir, 'backup', 'restore', dir)).rejects.toThrow(/empty data directory/);

    // Corrupt one blob of the backup on purpose: verify names it and fails.
    const store = join(dir, 'blobs', 'default');
    const prefix = readdirSync(store)[0];
    const victim = readdirSync(join(store, prefix))[0];
    writeFileSync(join(store, prefix, victim), 'not the original bytes');
    const failed = await wharfCli(source.dataDir, 'backup', 'verify', dir).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`blob ${victim} is corrupt`);
  });
});

describe.runIf(onPostgres)('backup on PostgreSQL', () => {
  it('refuses and points to pg_dump', async () => {
    const server = await startWharf();
    servers.push(server);
    const failed = await wharfCli(server.dataDir, 'backup', 'create', mkdtempSync(join(tmpdir(), 'wharf-backup-'))).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/WHARF_DB is PostgreSQL: back the database up with pg_dump/);
  });
});
