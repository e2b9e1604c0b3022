// GET /v2/_catalog: image names the caller may browse. On the main port every Docker repository's images
// appear under their path-routed name (<repo>/<image>); on a connector port, that repository's own names.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canBrowse } from '../../security/access.js';
import type { Wharf } from '../../wharf.js';
import { linkNext, pageSize, UNBOUNDED } from './handlers/listing.js';
import { query } from './handlers/context.js';
import { dockerStore } from './stores.js';
import { forPrincipal } from './target.js';

export async function catalog(wharf: Wharf, fixed: string | undefined, request: FastifyRequest, reply: FastifyReply) {
  const q = query(request);
  const n = pageSize(q.n);
  const limit = n ?? UNBOUNDED;
  // In the byte order of their name prefixes ("a-b/" before "a/"), so stopping once a page is full misses nothing.
  const repos = fixed ? [wharf.repositories.get(fixed)!] : wharf.repositories.list('docker')
    .sort((a, b) => (`${a.name}/` < `${b.name}/` ? -1 : 1));
  const names: string[] = [];
  for (const repo of repos) {
    if (!repo.online || !canBrowse(wharf.access, request.user, repo)) continue;
    const prefix = fixed ? '' : `${repo.name}/`;
    // Names of this repository sort after `last` only if their prefixed form does.
    const last = q.last?.startsWith(prefix) ? q.last.slice(prefix.length) : q.last !== undefined && q.last > prefix ? '\uffff' : undefined;
    if (last === '\uffff') continue;
    const { store } = forPrincipal(wharf, { repo, store: dockerStore(wharf, repo), image: '', urlName: '' }, request.user);
    const page = await store.images(limit + 1, last);
    names.push(...page.items.map((i) => prefix + i));
    if (names.length > limit) break;
  }
  names.sort();
  const items = n === 0 ? [] : names.slice(0, limit);
  linkNext(reply, '/v2/_catalog', n, names.length > items.length && n !== 0, items.at(-1));
  return reply.send({ repositories: items });
}
