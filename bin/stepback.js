#!/usr/bin/env node
// The CLI ships as the bundles in dist/ (dist/cli.js loads the command's own; built by `npm run build`, which
// `npm ci` runs via prepare).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('stepback: dist/cli.js is missing; run `npm run build` first.');
  process.exit(2);
}
await import(cli.href);
