// Reads credentials into request.user before any handler runs: HTTP Basic (a local or LDAP user's password, or an
// API token as the password), and Bearer (a Docker token from /v2/token, or an API token). Wrong credentials
// are refused here with 401; missing credentials leave the request anonymous.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../repository/errors.js';
import type { Principal } from './access.js';
import { looksLikeApiToken, type ApiTokens } from './api-tokens.js';
import type { Signer } from './signer.js';
import type { Users } from './users.js';
import type { LdapRealm } from './ldap.js';
import type { LoginGuard } from './login-guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: Principal | undefined;
  }
}

/** Parses `Authorization: Basic ...`; undefined when absent, not Basic, or without a user name. */
export function basicCredentials(request: FastifyRequest): { userId: string; password: string } | undefined {
  const header = request.headers.authorization;
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined; // clients send ":" when they have no credentials
  return { userId: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export interface Authenticators {
  users: Users;
  apiTokens: ApiTokens;
  signer: Signer;
  ldap?: LdapRealm;
}

/** The principal of a Docker bearer token's payload. */
export interface DockerTokenPayload {
  sub: string;
  roles: string[];
  realm: string;
  access: { name: string; actions: string[] }[];
}

export class Authenticator {
  /** `realms` names the active realms (local, dockerToken, ldap) at the time of each call. */
  constructor(private readonly a: Authenticators, private readonly realms: () => readonly string[]) {}

  /** A principal for user + password (or API token); undefined when they are wrong. */
  async basic(userId: string, password: string): Promise<Principal | undefined> {
    if (looksLikeApiToken(password)) return this.apiToken(password, userId);
    const realms = this.realms();
    // Realms in Nexus's order: a local user first, then the directory (which may be down: then undefined).
    const local = realms.includes('local') ? await this.a.users.authenticate(userId, password) : undefined;
    if (local || !realms.includes('ldap')) return local;
    return this.a.ldap?.authenticate(userId, password);
  }

  /** A principal for a bearer token (Docker token or API token); undefined when it is not valid. */
  async bearer(token: string): Promise<Principal | undefined> {
    if (looksLikeApiToken(token)) return this.apiToken(token);
    const p = this.realms().includes('dockerToken') ? this.a.signer.verify<DockerTokenPayload>(token) : undefined;
    return p && { userId: p.sub, roles: p.roles, realm: p.realm, dockerAccess: p.access };
  }

  private async apiToken(text: string, userId?: string): Promise<Principal | undefined> {
    const token = await this.a.apiTokens.verify(text, userId);
    const user = token && (await this.a.users.get(token.userId));
    return user && { ...user, tokenPrivileges: token.privileges };
  }
}

/** `guard` throttles failed logins and audits them (absent: neither). */
export function registerAuthentication(app: FastifyInstance, auth: Authenticator, guard?: LoginGuard): void {
  app.decorateRequest('user', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (!header) return;
    const creds = basicCredentials(request);
    let user: Principal | undefined;
    // A throttled name or address is refused (429) before any password is checked.
    if (creds || /^bearer /i.test(header)) guard?.check(creds?.userId, request.ip, reply);
    if (creds) user = await auth.basic(creds.userId, creds.password);
    else if (/^bearer /i.test(header)) user = await auth.bearer(header.slice(7).trim());
    else return;
    if (!user) {
      request.log.warn({ userId: creds?.userId, ip: request.ip }, 'login failed');
      guard?.failed(creds?.userId, request.ip, creds ? 'basic' : 'bearer');
      throw new UnauthorizedError(creds ? 'invalid username or password' : 'invalid or expired token');
    }
    request.user = user;
  });
}
