// Wharf vs Distribution (Debian's docker-registry), side by side on loopback, in one run.
//   npm run bench [-- --quick] [-- --out FILE] [-- --no-pin] [-- --no-build] [-- --entry FILE]
// Prints Markdown tables of Wharf/Distribution ratios and writes them to bench/results/<date>.md, with a PNG
// chart of the same ratios next to it. See bench/README.md for what each figure means and how the run is
// kept fair.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { MiB, Registry, MANIFEST_ACCEPT, makeBlob, request } from './client.mjs';
import { load } from './load.mjs';
import {
  BIG, CATALOG_PAGE, CHUNK, COLD, CONNECTIONS, IMAGE, LISTS, LOAD_SECONDS, ORDER, PROXIED, PULLS, PUSHES, REPOS, REPO_PREFIX,
  SETTLE_MS, SIZES, STARTS, TAGS, TAG_IMAGE, WARM, WARMUP_SECONDS, median, opts, quick, size, wharfConfig,
} from './plan.mjs';
import { markdown, writeChart } from './report.mjs';
import { buildSections } from './sections.mjs';
import { seed, walk } from './seed.mjs';
import { ROOT, cpuSeconds, diskReadBytes, kinds, killAll, memory, stop } from './servers.mjs';
import { wrk } from './wrk.mjs';

const work = join(ROOT, 'bench', 'work', `run-${process.pid}`);
const entry = opts.entry && resolve(opts.entry); // Wharf's start script, when not bin/wharf.js
const began = performance.now();
const log = (...a) => console.error(`[bench +${((performance.now() - began) / 1000).toFixed(0)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Never leave a registry running or a few GiB of blobs behind, whatever way we exit.
process.on('exit', (code) => {
  killAll();
  if (code) showServerLogs();
  rmSync(work, { recursive: true, force: true });
});

/** On a failure, the end of each server log (they go away with the work directory). */
function showServerLogs() {
  const logs = existsSync(work) ? readdirSync(work, { recursive: true }).filter((f) => f.endsWith('.log') && !f.includes('wrk')) : [];
  for (const f of logs) {
    const text = readFileSync(join(work, f), 'utf8').trim();
    if (text) console.error(`--- ${f} (end) ---\n${text.split('\n').slice(-15).join('\n')}`);
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { log(`${sig}: stopping`); process.exit(130); });

/** Builds dist/ (what bin/wharf.js runs) when it is missing or older than src/. */
function ensureBuilt() {
  const dist = join(ROOT, 'dist');
  const newest = (dir) => Math.max(...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, f)).mtimeMs));
  if (existsSync(dist) && newest(dist) >= newest(join(ROOT, 'src'))) return;
  log('building Wharf (npm run build)');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}

/** On a machine with 2+ cores: this process (the client, and wrk, which inherits it) on CPU 0, servers on CPU 1. */
function pinClient() {
  if (opts['no-pin'] || os.availableParallelism() < 2) return undefined;
  const r = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  return r.status === 0 ? 1 : undefined;
}

/** 1-minute load average: anything else running skews a benchmark on 2 cores, so the report shows it. */
const loadavg = () => os.loadavg()[0].toFixed(2);

/** Share of all CPUs busy over one second, before we start anything: should be ~0 for a fair run. */
async function busyPercent() {
  const sample = () => {
    const [, ...t] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return { idle: t[3] + t[4], total: t.reduce((a, b) => a + b, 0) };
  };
  const a = sample();
  await sleep(1000);
  const b = sample();
  return (100 * (1 - (b.idle - a.idle) / (b.total - a.total))).toFixed(0);
}

function machine() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const dist = execFileSync('/usr/bin/docker-registry', ['--version'], { encoding: 'utf8' }).trim().split(/\s+/).slice(1).join(' ');
  const wharfVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  let commit = '';
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git('rev-parse', '--short', 'HEAD');
    if (git('status', '--porcelain', '--', 'src', 'package.json')) commit += ' + uncommitted changes';
  } catch { /* not a checkout */ }
  return `nproc ${os.availableParallelism()}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}, `
    + `Node ${process.version}, Distribution ${dist}, Wharf ${wharfVersion}${commit ? ` (${commit})` : ''}`
    + (entry ? ` run from ${relative(ROOT, entry)}` : '');
}

/** What the disk allows: `blob` written to a file and fsynced, as both servers do before answering a push (MB/s). */
function diskBaseline(blob) {
  const file = join(work, 'disk-baseline');
  const t0 = performance.now();
  const fd = openSync(file, 'w');
  for (let i = 0; i < blob.size / MiB; i++) writeSync(fd, blob.buf);
  fsyncSync(fd);
  closeSync(fd);
  const mbps = blob.size / ((performance.now() - t0) / 1000) / 1e6;
  rmSync(file);
  return mbps;
}

/** Flushes dirty pages so that one server's write-back never lands in the other's measurement. */
function flush() {
  spawnSync('sync');
}

async function main() {
  if (!opts['no-build']) ensureBuilt();
  const machineLine = machine(); // before pinning, which hides the other core from this process
  const serverCpu = pinClient();
  mkdirSync(work, { recursive: true });
  const busy = await busyPercent();
  const loadStart = loadavg();
  const t0 = performance.now();
  log(machineLine);
  log(`CPUs ${busy} % busy before the run, load average ${loadStart}`);
  if (Number(busy) > 10) log('WARNING: something else is using the CPUs; the figures will be skewed');
  log(serverCpu === undefined ? 'not pinning CPUs' : `pinned: client + wrk on CPU 0, servers on CPU ${serverCpu}`);

  log(`generating blobs and their digests (${SIZES.map(size).join(', ')})`);
  const blobs = {
    pushes: new Map(SIZES.map((s, i) => [s, Array.from({ length: PUSHES(s) }, (_, j) => makeBlob(s, 10 + 100 * i + j))])),
    chunked: makeBlob(BIG, 3),
    cold: Array.from({ length: COLD }, (_, i) => makeBlob(BIG, 1000 + i)), // pushed to Distribution only
  };
  const disk = diskBaseline(blobs.pushes.get(BIG)[0]);
  log(`disk: write ${size(BIG)} + fsync at ${disk.toFixed(0)} MB/s`);

  const R = { wharf: {}, distribution: {} };
  await measureStarts(R, serverCpu);

  // The two servers of the rest of the run, side by side; only one is ever under load at a time.
  // Distribution first: it is the upstream of Wharf's proxy repository.
  const srv = {};
  for (const k of ORDER) {
    const s = await kinds[k].start(join(work, k), serverCpu, k === 'wharf' ? { config: wharfConfig(srv.distribution.base), entry } : {});
    srv[k] = { ...s, reg: new Registry(s.base, s.auth), pid: s.child.pid };
  }
  await sleep(2000);
  for (const k of ORDER) { R[k].idleRss = memory(srv[k].pid).rss; log(`${k}: idle RSS ${(R[k].idleRss / 1e6).toFixed(1)} MB`); }

  /** Runs `fn` against each server in turn, after flushing the disk and pinging (which also warms logins).
   *  Repetition `rep` alternates which server goes first, so neither always follows the other's writes. */
  const each = async (fn, { rep = 0, settle = 0 } = {}) => {
    for (const k of rep % 2 ? [...ORDER].reverse() : ORDER) {
      flush();
      await sleep(settle);
      await srv[k].reg.ping();
      await fn(k, srv[k]);
    }
  };
  await pushManifestImage(R, each);
  await measureBlobs(R, each, blobs);
  for (const k of ORDER) R[k].hwmPeak = memory(srv[k].pid).hwm;
  await measureManifests(R, each);
  await measureListings(R, each);
  await measureProxy(R, srv, serverCpu, blobs);
  for (const k of ORDER) await stop(srv[k].child);

  const minutes = ((performance.now() - t0) / 60_000).toFixed(1);
  writeReport(R, { machineLine, serverCpu, disk, load: `CPUs ${busy} % busy just before the run; load average ${loadStart} at start, ${loadavg()} at the end; ${minutes} min` });
}

/** Start to ready: spawn to the first 200, each on an empty data directory (Wharf without wharf.yaml, as a
 *  user's first start), alternating servers. */
async function measureStarts(R, serverCpu) {
  for (let i = 0; i < STARTS; i++) {
    for (const k of ORDER) {
      const s = await kinds[k].start(join(work, `${k}-start-${i}`), serverCpu, { entry });
      (R[k].starts ??= []).push(s.startMs);
      await stop(s.child);
    }
  }
  for (const k of ORDER) { R[k].startMs = median(R[k].starts); log(`${k}: start to ready ${R[k].starts.map(Math.round).join(', ')} ms`); }
}

/** The image whose manifest is read under load; checks both answer the tag with the pushed digest. */
async function pushManifestImage(R, each) {
  await each(async (k, s) => {
    const digest = await s.reg.pushSmallImage(IMAGE, 'bench');
    const res = await request(s.reg.url(`/v2/${IMAGE}/manifests/bench`), { headers: { accept: MANIFEST_ACCEPT } });
    if (res.status !== 200 || res.headers['docker-content-digest'] !== digest) throw new Error(`${k}: GET manifest by tag: HTTP ${res.status}, digest ${res.headers['docker-content-digest']}`);
    R[k].manifestDigest = digest;
  });
}

/** Monolithic pushes and pulls at every size, then one chunked push. */
async function measureBlobs(R, each, blobs) {
  // Smallest size first; peak RSS after the first push of each size shows whether memory grows with blob
  // size. CPU per GiB: the server's CPU time over all pushes of a size, over the bytes pushed.
  for (const sz of SIZES) {
    for (const [rep, blob] of blobs.pushes.get(sz).entries()) {
      await each(async (k, s) => {
        const cpu = cpuSeconds(s.pid);
        const secs = await s.reg.pushMonolithic(IMAGE, blob);
        const x = (R[k][sz] ??= { pushes: [], pushCpu: 0, pulls: [], pullCpu: 0, pullDisk: 0 });
        x.pushes.push(sz / secs / 1e6);
        x.pushCpu += cpuSeconds(s.pid) - cpu;
        x.hwm ??= memory(s.pid).hwm;
      }, { rep, settle: sz >= 100 * MiB ? SETTLE_MS : 0 });
    }
    for (const k of ORDER) {
      const x = R[k][sz];
      x.push = median(x.pushes);
      x.pushCpuPerGiB = x.pushCpu / ((sz * x.pushes.length) / 2 ** 30);
      log(`${k}: push ${size(sz)} ${x.pushes.map((v) => v.toFixed(0)).join(', ')} MB/s, CPU ${x.pushCpuPerGiB.toFixed(2)} s/GiB, VmHWM ${(x.hwm / 1e6).toFixed(1)} MB`);
    }
  }
  // Pulls of the first blob of each size: once untimed (page cache, JIT), then PULLS times, alternating.
  for (const sz of SIZES) {
    const blob = blobs.pushes.get(sz)[0];
    await each((k, s) => s.reg.pull(IMAGE, blob));
    for (let rep = 0; rep < PULLS(sz); rep++) {
      await each(async (k, s) => {
        const x = R[k][sz];
        const [cpu, rd] = [cpuSeconds(s.pid), diskReadBytes(s.pid)];
        x.pulls.push(sz / (await s.reg.pull(IMAGE, blob)) / 1e6);
        x.pullCpu += cpuSeconds(s.pid) - cpu;
        x.pullDisk += diskReadBytes(s.pid) - rd; // should stay ~0: served from the page cache
      }, { rep });
    }
    for (const k of ORDER) {
      const x = R[k][sz];
      x.pull = median(x.pulls);
      x.pullCpuPerGiB = x.pullCpu / ((sz * x.pulls.length) / 2 ** 30);
      log(`${k}: pull ${size(sz)} ${x.pulls.map((v) => v.toFixed(0)).join(', ')} MB/s, CPU ${x.pullCpuPerGiB.toFixed(2)} s/GiB, ${(x.pullDisk / 1e6).toFixed(0)} MB read from disk`);
    }
  }
  // Another big blob (new digest) in PATCH chunks, as resumable clients do.
  await each(async (k, s) => {
    R[k].pushChunked = BIG / (await s.reg.pushChunked(IMAGE, blobs.chunked, CHUNK)) / 1e6;
    log(`${k}: chunked push ${R[k].pushChunked.toFixed(0)} MB/s`);
  }, { settle: SETTLE_MS });
}

/** Manifest HEAD and GET, by tag and by digest, at 1/16/64 connections. GET with wrk, HEAD with load.mjs
 *  (wrk cannot do HEAD). RSS under load: the highest VmRSS sampled during the GET-by-tag run at 64. */
async function measureManifests(R, each) {
  await each(async (k, s) => {
    const url = s.reg.url(`/v2/${IMAGE}/manifests/bench`);
    await wrk(url, { connections: 64, seconds: WARMUP_SECONDS, logFile: join(work, `wrk-${k}-warmup.log`) });
  });
  R.manifests = [];
  for (const method of ['GET', 'HEAD']) {
    for (const by of ['tag', 'digest']) {
      for (const connections of CONNECTIONS) {
        const m = { method, by, connections };
        await each(async (k, s) => {
          const url = s.reg.url(`/v2/${IMAGE}/manifests/${by === 'tag' ? 'bench' : R[k].manifestDigest}`);
          const sampleRss = method === 'GET' && by === 'tag' && connections === 64;
          let rssMax = 0;
          const sampler = sampleRss && setInterval(() => { rssMax = Math.max(rssMax, memory(s.pid).rss); }, 100);
          const cpu = cpuSeconds(s.pid);
          const r = method === 'GET'
            ? await wrk(url, { connections, seconds: LOAD_SECONDS, logFile: join(work, `wrk-${k}.log`) })
            : await load(url, { method, connections, seconds: LOAD_SECONDS, headers: { accept: MANIFEST_ACCEPT } });
          m[k] = { ...r, cpuUs: ((cpuSeconds(s.pid) - cpu) / r.requests) * 1e6 };
          if (sampler) { clearInterval(sampler); R[k].rssLoad = Math.max(rssMax, memory(s.pid).rss); }
          log(`${k}: manifest ${method} by ${by}, ${connections} conns: ${r.rps.toFixed(0)} req/s, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms, ${r.errors} socket errors`);
        });
        R.manifests.push(m);
      }
    }
  }
}

/** The same tags and repositories seeded on both through the registry API, then read back. */
async function measureListings(R, each) {
  await each(async (k, s) => {
    const secs = await seed(s.reg, { tagImage: TAG_IMAGE, tags: TAGS, repoPrefix: REPO_PREFIX, repos: REPOS });
    log(`${k}: seeded ${TAGS} tags and ${REPOS} repositories in ${secs.toFixed(1)} s`);
    R[k].seedSecs = secs;
  });
  for (let rep = 0; rep < LISTS; rep++) {
    await each(async (k, s) => {
      const t = await walk(s.reg, `/v2/${TAG_IMAGE}/tags/list`, 'tags');
      const c = await walk(s.reg, `/v2/_catalog?n=${CATALOG_PAGE}`, 'repositories');
      if (t.count !== TAGS) throw new Error(`${k}: tags list has ${t.count} tags, wanted ${TAGS}`);
      if (c.count < REPOS) throw new Error(`${k}: catalog has ${c.count} repositories, wanted at least ${REPOS}`);
      (R[k].tagLists ??= []).push(t.seconds * 1000);
      (R[k].catalogs ??= []).push(c.seconds * 1000);
      Object.assign(R[k], { catalogCount: c.count, catalogPages: c.pages });
    }, { rep });
  }
  for (const k of ORDER) {
    Object.assign(R[k], { tagList: median(R[k].tagLists), catalog: median(R[k].catalogs) });
    log(`${k}: tags list ${R[k].tagList.toFixed(1)} ms, catalog (${R[k].catalogCount} names, ${R[k].catalogPages} pages) ${R[k].catalog.toFixed(1)} ms`);
  }
}

/** Wharf's proxy repository, with the run's Distribution as upstream: cold pulls against direct pulls from
 *  Distribution, warm pulls against hosted pulls from Wharf. While it serves as upstream, Distribution moves
 *  to the client's CPU so that the proxying Wharf has its core to itself, as with a remote upstream; the
 *  direct pulls run under the same placement. */
async function measureProxy(R, srv, serverCpu, blobs) {
  const P = (R.proxy = { cold: [], warm: [], hosted: [], warmCpu: 0, hostedCpu: 0 });
  const repin = (cpu) => serverCpu !== undefined && spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(srv.distribution.pid)], { stdio: 'ignore' });
  const upstream = srv.distribution.reg;
  const wharf = srv.wharf.reg;
  repin(0);
  // Cold: blobs pushed to Distribution only (Wharf's blob store must not hold their bytes already); each
  // pulled straight from Distribution and through the proxy (which fetches, streams and caches it),
  // alternating which goes first.
  for (const blob of blobs.cold) await upstream.pushMonolithic(IMAGE, blob);
  for (const [rep, blob] of blobs.cold.entries()) {
    const pair = {};
    for (const via of rep % 2 ? ['proxy', 'direct'] : ['direct', 'proxy']) {
      flush();
      pair[via] = via === 'direct' ? await upstream.pullTimed(IMAGE, blob) : await wharf.pullTimed(PROXIED, blob);
    }
    P.cold.push({ size: blob.size, ...pair });
    log(`proxy cold ${size(blob.size)}: first byte ${ms(pair.proxy.ttfb)} vs ${ms(pair.direct.ttfb)} ms direct, total ${ms(pair.proxy.seconds)} vs ${ms(pair.direct.seconds)} ms`);
  }
  // Warm: a blob the proxy has cached against a hosted blob of the same size, both from Wharf.
  const [cached, hosted] = [blobs.cold[0], blobs.pushes.get(BIG)[0]];
  await wharf.pull(PROXIED, cached);
  await wharf.pull(IMAGE, hosted);
  for (let rep = 0; rep < WARM; rep++) {
    for (const via of rep % 2 ? ['hosted', 'warm'] : ['warm', 'hosted']) {
      const cpu = cpuSeconds(srv.wharf.pid);
      const secs = via === 'warm' ? await wharf.pull(PROXIED, cached) : await wharf.pull(IMAGE, hosted);
      P[via].push(cached.size / secs / 1e6);
      P[`${via}Cpu`] += (cpuSeconds(srv.wharf.pid) - cpu) / (cached.size / 2 ** 30) / WARM;
    }
  }
  Object.assign(P, { warmSize: cached.size, warmMbps: median(P.warm), hostedMbps: median(P.hosted) });
  log(`proxy warm ${P.warm.map((v) => v.toFixed(0)).join(', ')} MB/s, hosted ${P.hosted.map((v) => v.toFixed(0)).join(', ')} MB/s; CPU ${P.warmCpu.toFixed(2)} vs ${P.hostedCpu.toFixed(2)} s/GiB`);
  repin(serverCpu);
}

/** The tables to stdout and bench/results/<date>[-quick].md (or --out), the chart next to them as .png. */
function writeReport(R, { machineLine, serverCpu, disk, load }) {
  const sections = buildSections(R);
  const out = opts.out ?? join(ROOT, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.md`);
  const png = out.replace(/(\.md)?$/, '.png');
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const pinLine = serverCpu === undefined
    ? 'CPUs not pinned.'
    : `Each server pinned to CPU ${serverCpu} (taskset), the client, wrk (1 thread) and load.mjs to CPU 0; one server under load at a time.`;
  const report = [
    `# Wharf vs Distribution${quick ? ' (--quick)' : ''}, ${stamp}`,
    '',
    `Machine: ${machineLine}; ${load}.`,
    pinLine,
    `Disk: writing ${size(BIG)} + fsync from the client process ran at ${disk.toFixed(0)} MB/s, the ceiling for a push (both servers fsync a blob before answering).`,
    `MB = 10^6 bytes. Ratio = Wharf / reference (higher is better for MB/s and req/s, lower for ms, s and MB). Chart: \`${basename(png)}\`.`,
    '',
    markdown(sections),
  ].join('\n');
  process.stdout.write(report);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, report);
  log(`written to ${out}`);
  const title = `Wharf vs Distribution${quick ? ' (--quick)' : ''}, ${stamp}: how many times better Wharf is`;
  const subtitle = wrap(`Machine: ${machineLine}; ${load}. ${pinLine} Bars: Wharf/reference, inverted where lower is better; black tick: target; red: target missed.`, 190);
  if (writeChart(sections, png, { title, subtitle })) log(`chart: ${png}`);
}

const ms = (secs) => (secs * 1000).toFixed(secs < 1 ? 1 : 0);
const basename = (p) => p.split('/').at(-1);
const wrap = (text, width) => text.split(' ').reduce((lines, word) => {
  if ((lines.at(-1) + ' ' + word).length > width) lines.push(word);
  else lines[lines.length - 1] = lines.at(-1) ? `${lines.at(-1)} ${word}` : word;
  return lines;
}, ['']);

// Explicit exits: the 'exit' handler above then stops whatever server is still running.
main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
