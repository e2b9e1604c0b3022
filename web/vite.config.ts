// Builds the web UI into dist/web (served at / by src/http/ui.ts). JSX through Vite's own esbuild, no plugin.
// Every text file also gets .br and .gz copies, so the server sends compressed files without compressing.
// `npx vite --config web/vite.config.ts` runs a dev server that sends the API's paths to a Wharf on :8081.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url)); // scripts/build-web.mjs builds elsewhere, then swaps
const TEXT = /\.(js|css|html|svg|json|txt)$/;

function precompress(): Plugin {
  let dir = outDir;
  return {
    name: 'wharf-precompress',
    apply: 'build',
    configResolved(config) { dir = config.build.outDir; },
    async closeBundle() {
      const walk = async (dir: string): Promise<string[]> => (await Promise.all((await readdir(dir, { withFileTypes: true }))
        .map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])))).flat();
      for (const file of (await walk(dir)).filter((f) => TEXT.test(f))) {
        const bytes = await readFile(file);
        await writeFile(`${file}.gz`, gzipSync(bytes, { level: 9 }));
        await writeFile(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

const wharf = process.env.WHARF_URL ?? 'http://127.0.0.1:8081';

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/service': wharf, '/v2': wharf, '/repository': wharf } },
  plugins: [precompress()],
});
