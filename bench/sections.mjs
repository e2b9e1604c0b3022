// The rows of the report, section by section, from the figures run.mjs collected: names, units, targets.
import { MiB } from './client.mjs';
import {
  BIG, CATALOG_PAGE, CHUNK, LISTS, LOAD_SECONDS, MID, PULLS, PUSHES, REPOS, SIZES, STARTS, TAGS, WARMUP_SECONDS, median, quick, size,
} from './plan.mjs';

/** The report's sections: rows as report.mjs takes them (`goal`: the target as a "times better" for the chart). */
export function buildSections(R) {
  const W = R.wharf;
  const D = R.distribution;
  const mb = (b) => b / 1e6;
  const flatGrowth = (x) => (x[BIG].hwm - x[MID].hwm) / x[MID].hwm;
  const pct = (100 * flatGrowth(W)).toFixed(1);
  const growth = `${Number(pct) <= 0 ? '+0.0' : `+${pct}`} %`;
  const blobs = [
    ...SIZES.map((sz) => ({ name: `push ${size(sz)}, POST + monolithic PUT, median of ${PUSHES(sz)} (MB/s)`, w: W[sz].push, d: D[sz].push, dec: 0, better: 'higher',
      ...(sz === BIG ? { target: '≥ 2× Distribution', met: W[sz].push >= 2 * D[sz].push, goal: 2 } : {}) })),
    { name: `push ${size(BIG)}, PATCH ${size(CHUNK)} chunks + PUT (MB/s)`, w: W.pushChunked, d: D.pushChunked, dec: 0, better: 'higher' },
    ...SIZES.map((sz) => ({ name: `pull ${size(sz)}, median of ${PULLS(sz)} after a warm-up pull (MB/s)`, w: W[sz].pull, d: D[sz].pull, dec: 0, better: 'higher',
      ...(sz === BIG ? { target: '≥ 1× Distribution', met: W[sz].pull >= D[sz].pull, goal: 1 } : {}) })),
    ...SIZES.filter((sz) => sz > MiB).map((sz) => ({ name: `server CPU time per GiB pushed, ${size(sz)} blobs (s)`, w: W[sz].pushCpuPerGiB, d: D[sz].pushCpuPerGiB, dec: 2, better: 'lower' })),
    { name: `server CPU time per GiB pulled, ${size(BIG)} blobs (s)`, w: W[BIG].pullCpuPerGiB, d: D[BIG].pullCpuPerGiB, dec: 2, better: 'lower' },
  ];
  const manifests = R.manifests.flatMap((m) => {
    const what = `manifest ${m.method} by ${m.by}, ${m.connections} conn${m.connections > 1 ? 's' : ''}`;
    const headline = m.method === 'GET' && m.by === 'tag' && m.connections === 64;
    const errs = m.wharf.errors || m.distribution.errors ? ` (socket errors: Wharf ${m.wharf.errors}, Distribution ${m.distribution.errors})` : '';
    return [
      { name: `${what}, ${LOAD_SECONDS} s (req/s)${errs}`, w: m.wharf.rps, d: m.distribution.rps, dec: 0, better: 'higher',
        ...(headline ? { target: '≥ 5× Distribution', met: m.wharf.rps >= 5 * m.distribution.rps, goal: 5 } : {}) },
      { name: `${what}: latency p50 (ms)`, w: m.wharf.p50ms, d: m.distribution.p50ms, dec: 2, better: 'lower', chart: false },
      { name: `${what}: latency p99 (ms)`, w: m.wharf.p99ms, d: m.distribution.p99ms, dec: 2, better: 'lower', chart: headline },
      ...(headline ? [{ name: `${what}: server CPU time per request (µs)`, w: m.wharf.cpuUs, d: m.distribution.cpuUs, dec: 0, better: 'lower' }] : []),
    ];
  });
  const listings = [
    { name: `tags list, ${TAGS.toLocaleString('en-US')} tags, one GET, median of ${LISTS} (ms)`, w: W.tagList, d: D.tagList, dec: 1, better: 'lower' },
    { name: `catalog, ${REPOS.toLocaleString('en-US')} repositories, all pages at n=${CATALOG_PAGE}, median of ${LISTS} (ms)`, w: W.catalog, d: D.catalog, dec: 1, better: 'lower' },
    { name: `seeding ${TAGS.toLocaleString('en-US')} tags + ${REPOS.toLocaleString('en-US')} repositories, 16 in flight (s)`, w: W.seedSecs, d: D.seedSecs, dec: 1, better: 'lower' },
  ];
  const P = R.proxy;
  const coldMedian = (via, key) => median(P.cold.map((c) => c[via][key]));
  const coldSize = [...new Set(P.cold.map((c) => size(c.size)))].join(' and ');
  const proxy = [
    { name: `warm proxy pull vs hosted pull, ${size(P.warmSize)}, median of ${P.warm.length} (MB/s)`, w: P.warmMbps, d: P.hostedMbps, dec: 0, better: 'higher',
      target: '≥ 0.9× hosted', met: P.warmMbps >= 0.9 * P.hostedMbps, goal: 0.9 },
    { name: `warm proxy pull vs hosted pull: server CPU time per GiB, mean (s)`, w: P.warmCpu, d: P.hostedCpu, dec: 2, better: 'lower' },
    { name: `cold proxy pull vs direct from upstream, ${coldSize}: time to first byte, median of ${P.cold.length} (ms)`,
      w: coldMedian('proxy', 'ttfb') * 1000, d: coldMedian('direct', 'ttfb') * 1000, dec: 1, better: 'lower' },
    { name: `cold proxy pull vs direct from upstream, ${coldSize}: total, median of ${P.cold.length} (ms)`,
      w: coldMedian('proxy', 'seconds') * 1000, d: coldMedian('direct', 'seconds') * 1000, dec: 0, better: 'lower' },
  ];
  const process_ = [
    { name: `start to ready, median of ${STARTS} (ms)`, w: W.startMs, d: D.startMs, dec: 0, target: '< 1000 ms', met: W.startMs < 1000, better: 'lower' },
    { name: 'idle RSS after start (MB)', w: mb(W.idleRss), d: mb(D.idleRss), dec: 1, target: '< 120 MB', met: W.idleRss < 120e6, better: 'lower' },
    { name: `RSS under load: highest VmRSS during GET by tag at 64 conns (MB)`, w: mb(W.rssLoad), d: mb(D.rssLoad), dec: 1, better: 'lower' },
    { name: `peak RSS (VmHWM) after the first ${size(MID)} push (MB)`, w: mb(W[MID].hwm), d: mb(D[MID].hwm), dec: 1, better: 'lower' },
    { name: `peak RSS (VmHWM) after the first ${size(BIG)} push (MB)`, w: mb(W[BIG].hwm), d: mb(D[BIG].hwm), dec: 1, better: 'lower',
      target: `flat: ≤ +10 % over ${size(MID)} (${growth})${quick ? '; judged in full mode only' : ''}`, met: quick ? undefined : flatGrowth(W) <= 0.1 },
    { name: 'peak RSS (VmHWM) after all pushes and pulls (MB)', w: mb(W.hwmPeak), d: mb(D.hwmPeak), dec: 1, better: 'lower' },
  ];
  return [
    { title: 'Blobs', rows: blobs },
    { title: 'Manifests', note: `GET with \`wrk -t1 --latency\`, HEAD with \`bench/load.mjs\` (wrk cannot send HEAD); ${LOAD_SECONDS} s each after one ${WARMUP_SECONDS} s warm-up per server.`, rows: manifests },
    { title: 'Listings', rows: listings },
    { title: 'Proxy', columns: ['Wharf proxy', 'reference'], note: `Wharf's \`docker-proxy\` repository with the run's Distribution as upstream. Warm: a cached ${size(P.warmSize)} blob against a hosted one, both from Wharf. Cold: a blob the proxy never fetched, through the proxy against straight from Distribution, alternating which goes first; Distribution on the client's CPU for both.`, rows: proxy },
    { title: 'Process', rows: process_ },
  ];
}
