// The run's parameters: what `npm run bench` measures, how often and how big, in full and in --quick mode.
// Shared by run.mjs (which measures) and sections.mjs (which names the figures).
import { parseArgs } from 'node:util';
import { MiB } from './client.mjs';

export const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean' }, out: { type: 'string' }, 'no-pin': { type: 'boolean' }, 'no-build': { type: 'boolean' }, entry: { type: 'string' },
  },
});
export const quick = Boolean(opts.quick);
// Blob sizes, smallest first; the last is "the 1 GiB blob" of the targets, the middle one the reference for
// memory flatness. Pushes are each a new blob (new digest); pulls repeat the first blob of each size.
export const SIZES = quick ? [1 * MiB, 10 * MiB, 100 * MiB] : [1 * MiB, 100 * MiB, 1024 * MiB];
export const BIG = SIZES.at(-1);
export const MID = SIZES[1];
export const PUSHES = (size) => (size <= MiB ? (quick ? 5 : 10) : 3); // per server, alternating; median reported
export const PULLS = (size) => (size <= MiB ? 20 : 5); // per server, after one untimed pull; median reported
export const CHUNK = quick ? 8 * MiB : 64 * MiB; // PATCH size of the chunked push (a whole number of MiB)
export const CONNECTIONS = [1, 16, 64];
export const LOAD_SECONDS = quick ? 1 : 5; // each manifest HEAD/GET load run
export const WARMUP_SECONDS = quick ? 1 : 3; // one wrk run per server before the first measured one: JIT, caches
export const TAGS = quick ? 1000 : 10_000; // tags of one image, for the tags list
export const REPOS = quick ? 1000 : 10_000; // repositories, for the catalog
export const LISTS = quick ? 5 : 15; // timed tags-list and catalog reads per server; median reported
export const CATALOG_PAGE = 1000; // n= of the catalog walk (Link pages), as a client pages through it
export const WARM = 10; // warm proxy pulls and hosted pulls from Wharf, alternating; median reported
export const COLD = 3; // cold proxy pulls (each a blob the proxy never saw) against direct pulls from the upstream
export const STARTS = 5;
export const SETTLE_MS = quick ? 1000 : 3000; // pause after `sync` before a push of ≥ 100 MiB: lets the (virtual) disk drain its cache
// /v2/docker-hosted/bench/...: Wharf's hosted repository by path routing (never a group or proxy); for
// Distribution just a two-segment name. Same URLs on both. The proxy's upstream is the Distribution of
// the run, so /v2/docker-proxy/docker-hosted/bench/... on Wharf reaches Distribution's docker-hosted/bench.
export const IMAGE = 'docker-hosted/bench';
export const PROXIED = `docker-proxy/${IMAGE}`;
export const TAG_IMAGE = 'docker-hosted/tags';
export const REPO_PREFIX = 'docker-hosted/cat';
export const ORDER = ['distribution', 'wharf'];

/** Wharf's wharf.yaml for the run: the hosted repository, and a proxy of the run's Distribution (DESIGN 1.4).
 *  Declaring repositories turns off the default set, so the catalog lists the same names on both servers. */
export const wharfConfig = (upstream) => `repositories:
  - { name: docker-hosted, format: docker, type: hosted, storage: { blobStoreName: default, writePolicy: allow } }
  - name: docker-proxy
    format: docker
    type: proxy
    proxy: { remoteUrl: "${upstream}", contentMaxAge: -1, metadataMaxAge: 1440 }
`;

/** "1 MiB", "100 MiB", "1 GiB". */
export const size = (b) => (b >= 1024 * MiB ? `${b / 1024 / MiB} GiB` : `${b / MiB} MiB`);
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
