// The `wharf` client commands against a real server, through the built CLI (bin/wharf.js): tables by
// default, JSON with --json, credentials from options or the environment, the server's own message on a
// refusal (exit 1), exit 2 for usage errors, and a clear message when no server answers.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, freePort, startWharf, type TestWharf } from '../helpers/wharf.js';

let wharf: TestWharf;

beforeAll(async () => {
  wharf = await startWharf();
});

afterAll(async () => {
  await wharf?.stop();
});

interface Result { code: number; stdout: string; stderr: string }

function wharfCli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/wharf.js', ...args], { env: { ...process.env, WHARF_URL: wharf.url, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const admin = ['--user', 'admin', '--password', ADMIN_PASSWORD];

describe('wharf repo', () => {
  it('lists repositories as a table, and as JSON with --json', async () => {
    const table = await wharfCli(['repo', 'list']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+FORMAT\s+TYPE\s+URL$/);
    expect(lines.some((l) => /^docker-hosted\s+docker\s+hosted\s+http:\/\/127\.0\.0\.1:\d+\/repository\/docker-hosted$/.test(l))).toBe(true);
    const json = await wharfCli(['repo', 'list', '--json']);
    expect(JSON.parse(json.stdout).map((r: { name: string }) => r.name)).toContain('docker-hub');
  });

  it('creates from options and from a Nexus body file, then deletes', async () => {
    const port = await freePort();
    const created = await wharfCli(['repo', 'create', 'docker', 'hosted', 'cli-hosted', '--write-policy', 'allow_once', '--http-port', String(port), ...admin]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe('created docker hosted repository cli-hosted');
    expect((await fetch(`http://127.0.0.1:${port}/v2/`)).headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    const file = join(wharf.dataDir, 'group.json');
    writeFileSync(file, JSON.stringify({ online: true, storage: { blobStoreName: 'default' }, group: { memberNames: ['cli-hosted'] }, docker: {} }));
    const group = await wharfCli(['repo', 'create', 'docker', 'group', 'cli-group', '--file', file, '--json', ...admin]);
    expect(group.code, group.stderr).toBe(0);
    expect(JSON.parse(group.stdout)).toMatchObject({ name: 'cli-group', type: 'group', group: { memberNames: ['cli-hosted'] } });
    const refused = await wharfCli(['repo', 'delete', 'cli-hosted', ...admin]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('409 cli-hosted is a member of group cli-group');
    for (const name of ['cli-group', 'cli-hosted']) expect((await wharfCli(['repo', 'delete', name, ...admin])).stdout.trim()).toBe(`deleted repository ${name}`);
  });

  it('reports the failing fields of a refused body, and 401 with a hint', async () => {
    const bad = await wharfCli(['repo', 'create', 'docker', 'group', 'bad', '--member', 'nope', ...admin]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('400');
    expect(bad.stderr).toContain('group.memberNames[0]: no repository named nope');
    const anonymous = await wharfCli(['repo', 'create', 'docker', 'hosted', 'x']);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('401');
    expect(anonymous.stderr).toContain('--token');
  });

  it('exit 2 for usage errors, before any request', async () => {
    expect((await wharfCli(['repo', 'create', 'docker', 'sideways', 'x', ...admin])).code).toBe(2);
    expect((await wharfCli(['repo', 'create', 'docker', 'proxy', 'x', ...admin])).stderr).toContain('--remote-url');
    expect((await wharfCli(['repo', 'create', 'docker'])).code).toBe(2);
    expect((await wharfCli(['repo', 'list', '--colour'])).code).toBe(2);
    expect((await wharfCli(['repo', 'list', '--user', 'admin'])).code).toBe(2);
  });

  it('says when no server answers', async () => {
    const down = await wharfCli(['repo', 'list', '--url', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});

describe('wharf user', () => {
  it('creates, lists and deletes users; an API token works from WHARF_TOKEN', async () => {
    const created = await wharfCli(['user', 'create', 'cli-user', '--user-password', 'pw', '--role', 'nx-admin', '--email', 'c@example.org', ...admin]);
    expect(created.code, created.stderr).toBe(0);
    const token = await fetch(`${wharf.url}/service/rest/v1/security/user-tokens`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from('cli-user:pw').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli' }),
    }).then((r) => r.json()) as { token: string };
    const list = await wharfCli(['user', 'list'], { WHARF_TOKEN: token.token });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^cli-user\s+cli-user\s+c@example\.org\s+default\s+active\s+nx-admin$/m);
    expect((await wharfCli(['user', 'delete', 'cli-user', ...admin])).stdout.trim()).toBe('deleted user cli-user');
    expect((await wharfCli(['user', 'delete', 'cli-user', ...admin])).stderr).toContain('404 no such user: cli-user');
  });
});

describe('wharf task', () => {
  it('lists tasks and runs one when the server has the tasks API', async () => {
    const tasks = await fetch(`${wharf.url}/service/rest/v1/tasks`, { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } });
    const list = await wharfCli(['task', 'list', '--json', ...admin]);
    if (tasks.status === 404) {
      expect(list.code).toBe(1);
      return;
    }
    expect(list.code, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout) as { id: string }[];
    const table = await wharfCli(['task', 'list', ...admin]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+TYPE\s+STATE/);
    if (items.length) {
      const run = await wharfCli(['task', 'run', items[0].id, ...admin]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe(`started task ${items[0].id}`);
    }
    expect((await wharfCli(['task', 'run', 'no-such-task', ...admin])).code).toBe(1);
  });
});
