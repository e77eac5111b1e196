/**
 * dist/cli.js, the built CLI's entry: loads dist/commands/<command>.js, a bundle of main.ts holding only the
 * command on the command line, or dist/commands/all.js (every command) for help, --version and typos. One
 * CommonJS file per run, not an ES module graph of shared chunks: at thousands of migrations a run is
 * measured against psql, and Node starts a single CommonJS file faster (scripts/build.mjs).
 */
import { commandName } from './command-name.ts';

const file = `commands/${commandName(process.argv.slice(2)) ?? 'all'}.js`;
// A variable, not a template in the call: esbuild would bundle every file a template could name.
const bundle = `./${file}`;
try {
  require(bundle);
} catch (error) {
  // An image with part of dist/ copied: say what is missing instead of Node's stack trace.
  // Only this file: a module the bundle itself requires would name this file too, in its require stack.
  const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
  if (!missing || !(error as Error).message.split('\n')[0]!.includes(file)) throw error;
  process.stderr.write(`stepback: ${file} is missing beside cli.js; copy the whole dist/ directory\n`);
  process.exitCode = 2;
}
