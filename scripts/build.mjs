// `npm run build` (also run by `npm ci`, via `prepare`): bundles the server into dist/bundle/wharf.js, which
// bin/wharf.js loads. One ESM file instead of ~1,000 modules resolved and read one by one saves about half of
// `wharf serve`'s start-to-ready time (docs/decisions/startup-time.md). What src/ imports lazily (`await
// import(...)`: the HTTP client of proxy repositories, LDAP, YAML, ...) becomes a separate chunk next to it,
// read only when first needed. Type checking is tsc's job, run before this by the build script.
import { readFile, rename, rm } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const outdir = resolve(root, 'dist', 'bundle'); // two levels below the root, like src/api: openapi.ts finds package.json
// Built beside it, then swapped in: tests and servers may be starting from the old bundle meanwhile.
const building = resolve(root, 'dist', `.bundle-${process.pid}`);
// The web UI builds at the same time (scripts/build-web.mjs, a few seconds).
const web = import('./build-web.mjs').then((m) => m.buildWeb(root));

// Left to Node's own loader, from node_modules: native addons, packages that require optional packages that
// may not be installed, and the AWS SDK (large, and loaded only with an S3 blob store).
const external = ['better-sqlite3', 'pg', 'pg-native', '@aws-sdk/*', '@smithy/*'];

/**
 * Some packages find their own files through __dirname (@fastify/swagger-ui serves its static/ directory),
 * which an ESM bundle does not have. Give each such CommonJS file the directory it has in node_modules,
 * relative to the bundle, so it still holds when the checkout moves.
 */
const ownDirname = {
  name: 'own-dirname',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source) || /^\s*(import|export)\s/m.test(source)) return undefined;
      const dir = JSON.stringify(relative(outdir, dirname(args.path)));
      const file = JSON.stringify(relative(outdir, args.path));
      return {
        contents: `var __dirname = require('node:path').join(__wharfBundleDir, ${dir}), __filename = require('node:path').join(__wharfBundleDir, ${file});\n${source}`,
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { wharf: 'src/cli/main.ts' },
  outdir: building, // same depth as outdir, so the relative paths above hold
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [ownDirname],
  // CommonJS packages inside an ESM bundle still call require() for Node's built-ins.
  banner: {
    js: [
      "import { createRequire as __wharfRequire } from 'node:module';",
      "import { dirname as __wharfDirname } from 'node:path';",
      "import { fileURLToPath as __wharfPath } from 'node:url';",
      'const require = __wharfRequire(import.meta.url);',
      'const __wharfBundleDir = __wharfDirname(__wharfPath(import.meta.url));',
    ].join(' '),
  },
  sourcemap: 'linked', // stack traces map back to src/ with `node --enable-source-maps`
  legalComments: 'linked', // the dependencies' license comments, in wharf.js.LEGAL.txt
  logLevel: 'warning',
});
const old = `${building}-old`;
await rename(outdir, old).catch((e) => { if (e.code !== 'ENOENT') throw e; });
await rename(building, outdir);
await rm(old, { recursive: true, force: true }); // and with it the chunks of the previous build
await web;
