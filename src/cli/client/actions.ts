// What `wharf repo|user|task ...` do against a running server's REST API (loaded only when such a command
// runs, so `wharf serve` never loads it). Each prints a table, or with --json the server's JSON.
import { readFileSync } from 'node:fs';
import { ClientError, RestClient, type ClientOptions } from './rest.js';
import { table } from './table.js';

const print = (text: string): void => void process.stdout.write(`${text}\n`);
const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

interface Summary { name: string; format: string; type: string; url: string }

export async function repoList(options: ClientOptions): Promise<void> {
  const repos = await new RestClient(options).call<Summary[]>('GET', '/repositories');
  if (options.json) return printJson(repos);
  print(table(['NAME', 'FORMAT', 'TYPE', 'URL'], repos.map((r) => [r.name, r.format, r.type, r.url])));
}

export interface RepoCreateOptions extends ClientOptions {
  file?: string;
  blobStore?: string;
  writePolicy?: string;
  remoteUrl?: string;
  member?: string[];
  writableMember?: string;
  httpPort?: string;
  offline?: boolean;
}

/** Nexus's body for POST /repositories/{format}/{type}: from --file (JSON), or built from the options. */
function createBody(format: string, type: string, name: string, o: RepoCreateOptions): Record<string, unknown> {
  if (o.file) {
    try {
      return { ...JSON.parse(readFileSync(o.file, 'utf8')), name };
    } catch (err) {
      throw new ClientError(`--file ${o.file}: ${(err as Error).message}`, 2);
    }
  }
  const body: Record<string, any> = { name, online: !o.offline, storage: { blobStoreName: o.blobStore ?? 'default' } };
  if (type === 'hosted') body.storage.writePolicy = o.writePolicy ?? 'allow';
  if (type === 'proxy') {
    if (!o.remoteUrl) throw new ClientError('a proxy needs --remote-url', 2);
    body.proxy = { remoteUrl: o.remoteUrl };
  }
  if (type === 'group') {
    if (!o.member?.length) throw new ClientError('a group needs at least one --member', 2);
    body.group = { memberNames: o.member, ...(o.writableMember && { writableMember: o.writableMember }) };
  }
  if (format === 'docker') {
    const port = o.httpPort === undefined ? undefined : Number(o.httpPort);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new ClientError(`--http-port: not a port number: ${o.httpPort}`, 2);
    body.docker = port ? { httpPort: port } : {};
  }
  return body;
}

export async function repoCreate(format: string, type: string, name: string, options: RepoCreateOptions): Promise<void> {
  if (!['hosted', 'proxy', 'group'].includes(type)) throw new ClientError(`type must be hosted, proxy or group, not ${type}`, 2);
  const client = new RestClient(options);
  await client.call('POST', `/repositories/${encodeURIComponent(format)}/${type}`, createBody(format, type, name, options));
  if (options.json) return printJson(await client.call('GET', `/repositories/${encodeURIComponent(name)}`));
  print(`created ${format} ${type} repository ${name}`);
}

export async function repoDelete(name: string, options: ClientOptions): Promise<void> {
  await new RestClient(options).call('DELETE', `/repositories/${encodeURIComponent(name)}`);
  if (options.json) return printJson({ deleted: name });
  print(`deleted repository ${name}`);
}

interface ApiUser { userId: string; firstName: string; lastName: string; emailAddress: string; source: string; status: string; roles: string[] }

export async function userList(options: ClientOptions): Promise<void> {
  const users = await new RestClient(options).call<ApiUser[]>('GET', '/security/users');
  if (options.json) return printJson(users);
  print(table(['USER', 'NAME', 'EMAIL', 'SOURCE', 'STATUS', 'ROLES'],
    users.map((u) => [u.userId, `${u.firstName} ${u.lastName}`.trim(), u.emailAddress, u.source, u.status, u.roles.join(',')])));
}

export interface UserCreateOptions extends ClientOptions {
  userPassword?: string;
  role?: string[];
  firstName?: string;
  lastName?: string;
  email?: string;
}

export async function userCreate(userId: string, o: UserCreateOptions): Promise<void> {
  if (!o.userPassword) throw new ClientError('give the new user a password with --user-password', 2);
  const body = {
    userId, password: o.userPassword, roles: o.role ?? [], status: 'active',
    firstName: o.firstName ?? userId, lastName: o.lastName ?? '', emailAddress: o.email ?? '',
  };
  const created = await new RestClient(o).call('POST', '/security/users', body);
  if (o.json) return printJson(created);
  print(`created user ${userId}`);
}

export async function userDelete(userId: string, options: ClientOptions): Promise<void> {
  await new RestClient(options).call('DELETE', `/security/users/${encodeURIComponent(userId)}`);
  if (options.json) return printJson({ deleted: userId });
  print(`deleted user ${userId}`);
}

interface ApiTask { id: string; name: string; type: string; message?: string | null; currentState: string; lastRunResult?: string | null; nextRun?: string | null; lastRun?: string | null }

export async function taskList(options: ClientOptions): Promise<void> {
  const { items } = await new RestClient(options).call<{ items: ApiTask[] }>('GET', '/tasks');
  if (options.json) return printJson(items);
  print(table(['ID', 'NAME', 'TYPE', 'STATE', 'LAST RESULT', 'LAST RUN', 'NEXT RUN'],
    items.map((t) => [t.id, t.name, t.type, t.currentState, t.lastRunResult, t.lastRun, t.nextRun])));
}

export async function taskRun(id: string, options: ClientOptions): Promise<void> {
  await new RestClient(options).call('POST', `/tasks/${encodeURIComponent(id)}/run`);
  if (options.json) return printJson({ started: id });
  print(`started task ${id}`);
}
