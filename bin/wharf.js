#!/usr/bin/env node
// Entry point of the `wharf` command: the CLI bundled into one file by `npm run build` (run by `npm ci`),
// see scripts/build.mjs.
import '../dist/bundle/wharf.js';
