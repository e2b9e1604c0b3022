// Shared by the lifecycle tests: REST calls as admin, running a task to its end, bytes on disk of a file
// blob store, and writing an OCI layout by hand (so skopeo pushes exactly the blobs a test chose).
import { readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Blob } from '../helpers/oci.js';
import { adminAuth, type TestWharf } from '../helpers/wharf.js';

export async function rest(t: TestWharf, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.url}/service/rest/v1${path}`, {
    method, headers: { authorization: adminAuth, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Creates a manual task, runs it, waits for the end; returns the finished run (from the history). */
export async function runTask(t: TestWharf, type: string, properties: Record<string, unknown>, name = `${type}-${Math.random().toString(36).slice(2, 8)}`) {
  const created = await rest(t, 'POST', '/tasks', { name, type, frequency: 'manual', properties });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const id = created.json.id as string;
  expect((await rest(t, 'POST', `/tasks/${id}/run`)).status).toBe(204);
  for (let i = 0; i < 600; i++) {
    const history = await rest(t, 'GET', `/tasks/${id}/history`);
    const run = history.json.items[0];
    if (run && run.state !== 'running') return { id, run };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${type} did not finish`);
}

/** sha256 -> size of every committed blob of a file blob store under a data directory. */
export function storeFiles(dataDir: string, store = 'default'): Map<string, number> {
  const base = join(dataDir, 'blobs', store, 'content', 'sha256');
  const files = new Map<string, number>();
  for (const prefix of readdirSync(base)) {
    for (const name of readdirSync(join(base, prefix))) files.set(name, statSync(join(base, prefix, name)).size);
  }
  return files;
}

export const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
export const hex = (b: Blob) => b.digest.slice('sha256:'.length);

/** An OCI image layout holding one image (tag -> manifest) built from in-memory blobs. */
export async function writeLayout(dir: string, tag: string, manifest: Blob, blobs: Blob[]): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of [manifest, ...blobs]) await writeFile(join(dir, 'blobs', 'sha256', hex(b)), b.bytes);
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
}
