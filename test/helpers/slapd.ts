// A real OpenLDAP server for tests: our own slapd process (not the system service) on a free loopback port,
// with a temporary slapd.conf (mdb backend, suffix dc=example,dc=org) and a directory loaded with slapadd
// before it starts. Debian: `apt-get install slapd ldap-utils`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { run, type TempDirs } from './images.js';
import { freePort } from './wharf.js';

export const SUFFIX = 'dc=example,dc=org';
export const SERVICE_DN = `cn=wharf,${SUFFIX}`;

export interface LdapPerson {
  uid: string;
  password: string;
  /** groupOfNames in ou=groups that list this person as a member. */
  groups?: string[];
}

/** /usr/sbin is not on every user's PATH. */
function program(name: string): string {
  return ['/usr/sbin', '/usr/bin'].map((d) => join(d, name)).find(existsSync) ?? name;
}

/** RFC 2307 {SSHA}: sha1(password + salt) + salt, base64 (what slappasswd -h {SSHA} writes). */
export function ssha(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

function ldif(servicePassword: string, people: LdapPerson[]): string {
  const entries = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: wharf\nuserPassword: ${ssha(servicePassword)}`,
    `dn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=groups,${SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
    ...people.map((p) => `dn: uid=${p.uid},ou=people,${SUFFIX}\nobjectClass: inetOrgPerson\nuid: ${p.uid}\ncn: ${p.uid}\nsn: ${p.uid}\n`
      + `mail: ${p.uid}@example.org\nuserPassword: ${ssha(p.password)}`),
  ];
  const groups = [...new Set(people.flatMap((p) => p.groups ?? []))];
  for (const g of groups) {
    const members = people.filter((p) => p.groups?.includes(g)).map((p) => `member: uid=${p.uid},ou=people,${SUFFIX}`);
    entries.push(`dn: cn=${g},ou=groups,${SUFFIX}\nobjectClass: groupOfNames\ncn: ${g}\n${members.join('\n')}`);
  }
  return entries.join('\n\n') + '\n';
}

/** Passwords: anonymous may only bind (auth); the service account reads everything else; nobody else reads. */
function conf(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${join(dir, 'slapd.pid')}
database mdb
maxsize 16777216
suffix "${SUFFIX}"
rootdn "cn=admin,${SUFFIX}"
directory ${join(dir, 'db')}
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="${SERVICE_DN}" read
  by * none
`;
}

export class Slapd {
  private process?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(readonly dir: string, readonly port: number) {}

  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  /** Writes the configuration, loads the directory and starts slapd; resolves when it accepts connections. */
  static async start(dirs: TempDirs, servicePassword: string, people: LdapPerson[]): Promise<Slapd> {
    const dir = await dirs.make('wharf-slapd-');
    await mkdir(join(dir, 'db'));
    await writeFile(join(dir, 'slapd.conf'), conf(dir));
    await writeFile(join(dir, 'data.ldif'), ldif(servicePassword, people));
    await run(program('slapadd'), ['-f', join(dir, 'slapd.conf'), '-l', join(dir, 'data.ldif')]);
    const slapd = new Slapd(dir, await freePort());
    await slapd.restart();
    return slapd;
  }

  /** (Re)starts the process on the same port and data; resolves when it accepts connections. */
  async restart(): Promise<void> {
    if (this.process) throw new Error('slapd is already running');
    let stderr = '';
    // -d 0: stay in the foreground (a child we can kill) without debug output.
    const child = spawn(program('slapd'), ['-f', join(this.dir, 'slapd.conf'), '-h', this.url + '/', '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await this.stop();
        throw new Error(`slapd did not start on port ${this.port} (exit ${child.exitCode}): ${stderr.trim() || '(no output)'}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Freezes the process (SIGSTOP): connections are still accepted by the kernel, but nothing is answered. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Kills the process and waits for it to exit. Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT'); // a paused slapd would not act on SIGTERM
      child.kill('SIGTERM');
    }
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000); // slapd flushes and exits quickly; never hang a test on it
    await this.exited;
    clearTimeout(killer);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
