// The Docker bearer token realm: GET /v2/token?service=...&scope=repository:<name>:pull,push issues a
// short-lived signed token whose granted actions are exactly what the caller's privileges allow, and 401
// replies carry the challenge that sends clients there.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS_ROLES, type Action, type Principal } from '../../security/access.js';
import type { Wharf } from '../../wharf.js';
import { OciError } from './errors.js';
import { resolveTarget } from './target.js';

export const SERVICE = 'wharf';
const TTL_SECONDS = 300;

/** Docker scope actions and the privilege action each needs. */
const ACTIONS: Record<string, Action[]> = { pull: ['read'], push: ['read', 'add'], delete: ['delete'], '*': ['read', 'add', 'delete'] };

/** The docker actions a request needs, for the scope of a challenge. */
export function scopeActions(method: string): string {
  if (method === 'DELETE') return 'delete';
  return method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push';
}

/** `WWW-Authenticate` for a 401 on this endpoint; `scope` as `repository:<name>:<actions>` when known. */
export function challenge(wharf: Wharf, request: FastifyRequest, fixed: string | undefined, scope?: string): string {
  if (!wharf.server.realms.includes('dockerToken')) return `Basic realm="${SERVICE}"`;
  const base = (!fixed && wharf.settings.baseUrl) || `${request.protocol}://${request.host}`;
  return `Bearer realm="${base}/v2/token",service="${SERVICE}"${scope ? `,scope="${scope}"` : ''}`;
}

function requestedScopes(request: FastifyRequest): string[] {
  const q = (request.query as { scope?: string | string[] }).scope;
  return (Array.isArray(q) ? q : q ? [q] : []).flatMap((s) => s.split(' ')).filter(Boolean);
}

/** What `principal` may do with the names in `scopes`, as a token's access list. */
export function grantedAccess(wharf: Wharf, principal: Principal | undefined, scopes: string[], fixed?: string) {
  const access: { type: string; name: string; actions: string[] }[] = [];
  for (const scope of scopes) {
    const m = /^(repository|registry)(?:\([^)]*\))?:(.+):([a-z*,]+)$/.exec(scope);
    if (!m) continue;
    const [, type, name, wanted] = m;
    if (type === 'registry') {
      const browse = wharf.repositories.list('docker').some((r) => wharf.access.allows(principal, r, 'browse'));
      access.push({ type, name, actions: browse && name === 'catalog' ? ['*'] : [] });
      continue;
    }
    let actions: string[] = [];
    try {
      const target = resolveTarget(wharf, name, fixed);
      actions = wanted.split(',').filter((a) => ACTIONS[a]?.every((need) => wharf.access.allows(principal, target.repo, need)));
    } catch {
      // An unknown or invalid name grants nothing; the token is still issued, as Distribution does.
    }
    access.push({ type, name, actions });
  }
  return access;
}

export async function issueToken(wharf: Wharf, fixed: string | undefined, request: FastifyRequest, reply: FastifyReply) {
  if (!wharf.server.realms.includes('dockerToken')) throw new OciError('UNSUPPORTED', 'the Docker bearer token realm is not active', undefined, 404);
  const principal = request.user;
  if (!principal && !wharf.server.access.anonymous) {
    reply.header('www-authenticate', `Basic realm="${SERVICE}"`);
    throw new OciError('UNAUTHORIZED', 'authentication required');
  }
  const access = grantedAccess(wharf, principal, requestedScopes(request), fixed);
  const token = wharf.signer.sign({
    sub: principal?.userId ?? 'anonymous', roles: principal?.roles ?? ANONYMOUS_ROLES, realm: principal?.realm ?? 'anonymous',
    access: access.map(({ name, actions }) => ({ name, actions })),
  }, TTL_SECONDS);
  return reply.header('cache-control', 'no-store').send({ token, access_token: token, expires_in: TTL_SECONDS, issued_at: new Date().toISOString() });
}

/** For a request carrying a Docker token: throws 401 unless the token grants `action` on `name`. */
export function checkTokenScope(principal: Principal | undefined, name: string, action: Action): void {
  if (!principal?.dockerAccess) return;
  const needed = action === 'browse' || action === 'read' ? 'pull' : action === 'delete' ? 'delete' : 'push';
  const entry = principal.dockerAccess.find((a) => a.name === name);
  if (!entry?.actions.includes(needed) && !entry?.actions.includes('*')) {
    throw new OciError('UNAUTHORIZED', `the token does not grant ${needed} on ${name}`);
  }
}
