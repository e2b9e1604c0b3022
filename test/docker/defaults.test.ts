// Out of the box (DESIGN.md 1.4): a new data directory without configuration gets docker-hosted, a Docker
// Hub proxy and the `docker` group as default repository, so a push to host/team/app lands in docker-hosted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, inspectRaw, Podman, skopeo, TempDirs } from '../helpers/images.js';
import { v2 } from '../helpers/registry.js';
import { ADMIN_PASSWORD, startWharf, type TestWharf } from '../helpers/wharf.js';

const dirs = new TempDirs();
let wharf: TestWharf;

beforeAll(async () => {
  wharf = await startWharf();
});

afterAll(async () => {
  await wharf?.stop();
  await dirs.removeAll();
});

describe('out of the box', () => {
  it('provisions docker-hosted, docker-hub and the docker group (and raw-hosted)', async () => {
    const repos = (await (await fetch(`${wharf.url}/service/rest/v1/repositories`)).json()) as { name: string; type: string }[];
    expect(repos.map((r) => `${r.name}:${r.type}`)).toEqual(['docker:group', 'docker-hosted:hosted', 'docker-hub:proxy', 'raw-hosted:hosted']);
  });

  it('takes a push at the root of the host into docker-hosted and pulls it back with podman', async () => {
    const image = await buildImage(`${await dirs.make()}/layout`, 'app', { layers: [{ path: '/app', size: 50_000 }] });
    const podman = await Podman.create(dirs);
    await podman.run(['login', '--tls-verify=false', '-u', 'admin', '-p', ADMIN_PASSWORD, wharf.host]);
    await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, image.ref, `docker://${wharf.host}/team/app:1.2.3`]);
    expect((await inspectRaw(`docker://${wharf.host}/docker-hosted/team/app:1.2.3`)).digest).toBe(image.digest);
    await podman.pull(`${wharf.host}/team/app:1.2.3`);
    expect((await podman.inspect(`${wharf.host}/team/app:1.2.3`)).Digest).toBe(image.digest);
  });

  it('answers a clear error for an image neither member has (Docker Hub is out of reach here)', async () => {
    const res = await v2(wharf, 'library/alpine/manifests/latest', { auth: false });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { errors: { code: string }[] };
    expect(body.errors[0].code).toBe('MANIFEST_UNKNOWN');
  });
});
