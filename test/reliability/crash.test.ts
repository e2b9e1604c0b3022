// Crash safety: a real `wharf serve` process takes 20 concurrent skopeo pushes and is killed with SIGKILL at a
// random instant, several rounds on the same data directory. Whatever skopeo was told succeeded must pull
// by digest afterwards; nothing served or stored may have bytes that differ from its digest; the database
// stays intact; leftovers of interrupted writes stay bounded, the upload purge task removes interrupted
// uploads, and temp files go away once old.
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corruptBlobFiles, corruptServed, dockerContent, filesUnder, sqliteIntegrity } from '../helpers/integrity.js';
import { skopeo, TempDirs } from '../helpers/images.js';
import { mulberry32, runSeed, seededLayout, type SeededImage } from '../helpers/seeded.js';
import { spawnWharf, type WharfProcess } from '../helpers/wharf-process.js';
import { ADMIN_PASSWORD, adminAuth } from '../helpers/wharf.js';
import { onPostgres, queryTestDatabase } from '../helpers/postgres.js';

const ROUNDS = 4;
const PUSHES = 20;
/** Resumable uploads a client started and never finished, left in each round before the kill. */
const ABANDONED = 3;
const seed = runSeed();
const dirs = new TempDirs();
let server: WharfProcess | undefined;

afterAll(async () => {
  await server?.kill9();
  if (server) await rm(server.dataDir, { recursive: true, force: true });
  await dirs.removeAll();
});

/** Creates a manual task through the REST API, runs it and waits for its outcome (from the task's history). */
async function runTaskOver(url: string, type: string, properties: Record<string, unknown>): Promise<{ state: string; message: string }> {
  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/service/rest/v1${path}`, {
      method, headers: { authorization: adminAuth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const created = await rest('POST', '/tasks', { name: `crash-${type}`, type, frequency: 'manual', properties });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await rest('POST', `/tasks/${created.json.id}/run`)).status).toBe(204);
  for (let i = 0; i < 600; i++) {
    const run = (await rest('GET', `/tasks/${created.json.id}/history`)).json.items[0];
    if (run && run.state !== 'running') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${type} did not finish in 30 s`);
}

/** Starts a resumable blob upload and sends part of it, as a client that then dies would. */
async function abandonUpload(server: WharfProcess, name: string): Promise<void> {
  const headers = { authorization: adminAuth };
  const started = await fetch(`${server.url}/v2/${name}/blobs/uploads/`, { method: 'POST', headers });
  expect(started.status).toBe(202);
  const part = Buffer.alloc(64 * 1024, name);
  const patched = await fetch(new URL(started.headers.get('location')!, server.url), {
    method: 'PATCH', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-range': `0-${part.length - 1}` }, body: part,
  });
  expect(patched.status).toBe(202);
}

interface Push {
  name: string;
  image: SeededImage;
  ok?: boolean;
}

function push(server: WharfProcess, p: Push) {
  return skopeo(['copy', '--retry-times', '0', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, p.image.ref, `docker://${server.host}/${p.name}`], { timeoutMs: 60_000 })
    .then(() => { p.ok = true; }, () => { p.ok = false; });
}

// It checks the SQLite file itself (integrity, stored content); on PostgreSQL the database's durability is the server's.
describe.skipIf(onPostgres)('crash: SIGKILL during 20 concurrent pushes', { timeout: 240_000 }, () => {
  it(`loses no acknowledged push and never serves corrupt bytes (seed ${seed}; replay with RELIABILITY_SEED=${seed})`, async () => {
    console.log(`crash test seed: ${seed} (set RELIABILITY_SEED=${seed} to replay)`);
    const random = mulberry32(seed);
    const work = await dirs.make('wharf-crash-');
    server = await spawnWharf();
    await server.start();
    const store = join(server.dataDir, 'blobs', 'default');
    const pushes: Push[] = [];
    const leftovers: number[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const batch: Push[] = [];
      for (let i = 0; i < PUSHES; i++) {
        // 2-4 layers of 16-256 KiB: distinct bytes every round, so every round writes new blobs.
        const sizes = Array.from({ length: 2 + Math.floor(random() * 3) }, () => (16 + Math.floor(random() * 240)) * 1024);
        const image = await seededLayout(join(work, `r${round}-i${i}`), 'v1', random, sizes);
        batch.push({ name: `crash/r${round}/img-${i}:v1`, image });
      }
      for (let i = 0; i < ABANDONED; i++) await abandonUpload(server, `crash/r${round}/abandoned-${i}`);
      // Kill once a random number of pushes has finished, plus a random delay: some rounds die early, some late.
      const waitFor = Math.floor(random() * (PUSHES - 2));
      const extraMs = Math.floor(random() * 300);
      let finished = 0;
      let enough!: () => void;
      const reached = new Promise<void>((r) => { enough = r; });
      if (waitFor === 0) enough();
      const running = Promise.all(batch.map((p) => push(server!, p).then(() => { if (++finished >= waitFor) enough(); })));
      await reached;
      await new Promise((r) => setTimeout(r, extraMs));
      await server.kill9();
      await running;
      pushes.push(...batch);
      const acknowledged = batch.filter((p) => p.ok).length;
      console.log(`round ${round}: killed ${extraMs} ms after ${waitFor} pushes finished; ${acknowledged}/${PUSHES} acknowledged`);
      await server.start();
      leftovers.push((await filesUnder(join(store, 'tmp'))).length + (await filesUnder(join(store, 'uploads'))).length);
    }

    // Pushes that failed are pushed again on the restarted server: half-written state must not get in the way
    // (a partial blob visible under its digest would be skipped by skopeo and then fail the pull below).
    const failed = pushes.filter((p) => !p.ok);
    await Promise.all(failed.map((p) => push(server!, p)));
    expect(failed.filter((p) => !p.ok).map((p) => p.name), server.output()).toEqual([]);

    // Every push skopeo reported as done pulls by digest (skopeo checks every blob's digest as it copies).
    const queue = [...pushes];
    const pull = async (worker: number) => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const repo = p.name.replace(/:v1$/, '');
        await skopeo(['copy', '--src-tls-verify=false', `docker://${server!.host}/${repo}@${p.image.digest}`, `oci:${join(work, `pulled-${worker}`)}:${p.image.digest.slice(7, 19)}`]);
      }
    };
    await Promise.all(Array.from({ length: 4 }, (_, w) => pull(w)));

    // Nothing the database records is served with other bytes, and no blob file holds bytes that differ from its name.
    const dbFile = join(server.dataDir, 'db', 'wharf.sqlite');
    const content = await dockerContent(server.dataDir);
    expect(content.length).toBeGreaterThanOrEqual(pushes.length * 3);
    expect(await corruptServed(server.url, content)).toEqual([]);
    expect(await corruptBlobFiles(store)).toEqual([]);

    // Interrupted writes leave at most what was in flight at each kill (20 pushes x at most 5 blobs)...
    console.log(`temp and upload files after each restart: ${leftovers.join(', ')}`);
    leftovers.forEach((n, round) => expect(n).toBeLessThanOrEqual((round + 1) * PUSHES * 5));

    // ...and the purge of incomplete uploads (Nexus: "Docker - Delete incomplete uploads"), run through the REST
    // task API with age 0 (nothing is in flight now), removes the sessions the kills interrupted (the abandoned
    // ones at least) and their bytes.
    const uploadsBefore = (await filesUnder(join(store, 'uploads'))).length;
    const purge = await runTaskOver(server.url, 'repository.docker.upload-purge', { age: 0 });
    expect(purge.state, purge.message).toBe('ok');
    const purged = Number(/^purged (\d+) incomplete upload\(s\)$/.exec(purge.message)?.[1]);
    expect(purged, purge.message).toBeGreaterThanOrEqual(ROUNDS * ABANDONED);
    const sessionsLeft = await queryTestDatabase(server.dataDir, 'SELECT id FROM upload_sessions');
    expect(sessionsLeft).toEqual([]);
    // A file with no session (killed between creating it and recording the session) is not the task's: at most
    // one per push in flight at a kill.
    const uploadsLeft = (await filesUnder(join(store, 'uploads'))).length;
    console.log(`uploads/ before the purge: ${uploadsBefore} file(s); ${purge.message}; left without a session: ${uploadsLeft}`);
    expect(uploadsLeft).toBeLessThanOrEqual(ROUNDS * PUSHES);
    expect(uploadsLeft).toBeLessThanOrEqual(uploadsBefore);
    await server.stop();
    expect(sqliteIntegrity(dbFile)).toBe('ok');

    // ...and once they are old, a restart removes them (nothing in flight can be that old).
    await writeFile(join(store, 'tmp', 'left-by-a-crash'), 'a put that never finished'); // whether or not the kills left one
    const old = new Date(Date.now() - 2 * 24 * 3600_000);
    for (const f of [...await filesUnder(join(store, 'tmp')), ...await filesUnder(join(store, 'uploads'))]) await utimes(f.path, old, old);
    await writeFile(join(store, 'tmp', 'fresh'), 'a put in progress elsewhere');
    await server.start();
    expect((await filesUnder(join(store, 'tmp'))).map((f) => f.path)).toEqual([join(store, 'tmp', 'fresh')]);
  });

});
