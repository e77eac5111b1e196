/**
 * dist/cli.js, the built CLI's entry: loads dist/commands/<command>.js, a bundle of main.ts holding only the
 * command on the command line, or dist/commands/all.js (every command) for help, --version and typos. One
 * CommonJS file per run, not an ES module graph of shared chunks: at thousands of migrations a run is
 * measured against psql, and Node starts a single CommonJS file faster (scripts/build.mjs).
 */
import { commandName } from './command-name.ts';

const bundle = `./commands/${commandName(process.argv.slice(2)) ?? 'all'}.js`;
require(bundle);
