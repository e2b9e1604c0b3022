// "Last downloaded" for hosted Docker repositories: a manifest GET (a pull) records the time, a HEAD does not,
// and the marks reach the database when the server stops, so cleanup's lastDownloaded criterion sees them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage, v2, MEDIA } from '../helpers/registry.js';
import { startWharf, type TestWharf } from '../helpers/wharf.js';
import { restClient } from '../api/client.js';

let t: TestWharf;

beforeAll(async () => {
  t = await startWharf({ config: 'repositories:\n  - { name: hosted, format: docker, type: hosted }\n' });
});

afterAll(async () => {
  await t?.stop();
});

describe('last downloaded on a hosted Docker repository', () => {
  it('is set by a pull (GET) and not by a HEAD, and survives a restart', async () => {
    const image = makeImage('downloads');
    await pushImage(t, 'hosted/team/app', 'pulled', image);
    await pushImage(t, 'hosted/team/app', 'checked', image);
    const accept = { accept: MEDIA.ociManifest };
    expect((await v2(t, 'hosted/team/app/manifests/pulled', { headers: accept })).status).toBe(200);
    expect((await v2(t, 'hosted/team/app/manifests/checked', { method: 'HEAD', headers: accept })).status).toBe(200);
    await t.restart(); // close() flushes the batched marks

    const api = restClient(t);
    const preview = await api('/cleanup-policies/preview', { method: 'POST', body: { repository: 'hosted', policy: { format: 'docker', criteria: { regex: '.*' } } } });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const byTag = Object.fromEntries(preview.body.items.map((i: { version: string; lastDownloaded: string | null }) => [i.version, i.lastDownloaded]));
    expect(Object.keys(byTag).sort()).toEqual(['checked', 'pulled']);
    expect(byTag.checked).toBeNull();
    expect(Date.parse(byTag.pulled)).toBeGreaterThan(Date.now() - 120_000);
  });
});
