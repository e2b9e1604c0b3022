// Builds the web UI (web/, React + Vite; settings in web/vite.config.ts) into dist/web, which src/http/ui.ts
// serves at /. Called by scripts/build.mjs, in parallel with the server bundle. Like the bundle, it is built
// beside the old one and swapped in, so a server or test serving dist/web meanwhile never sees half a build.
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Builds into `<root>/dist/web`; rejects with Vite's error. */
export async function buildWeb(root) {
  const { build } = await import('vite');
  const outdir = resolve(root, 'dist', 'web');
  const building = resolve(root, 'dist', `.web-${process.pid}`);
  await build({ configFile: resolve(root, 'web', 'vite.config.ts'), build: { outDir: building, emptyOutDir: true } });
  const old = `${building}-old`;
  await rename(outdir, old).catch((e) => { if (e.code !== 'ENOENT') throw e; });
  await rename(building, outdir);
  await rm(old, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildWeb(resolve(import.meta.dirname, '..'));
