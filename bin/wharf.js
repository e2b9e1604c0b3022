#!/usr/bin/env node
// Entry point of the `wharf` command: the compiled CLI lives in dist/ (built by `npm ci` / `npm run build`).
import '../dist/cli/main.js';
