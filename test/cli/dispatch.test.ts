/**
 * The built CLI's layout: dist/cli.js reads the command line as main.ts does and loads the one bundle that
 * holds that command (dist/commands/<name>.js), or the bundle of every command for help and typos.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commandName } from '../../src/cli/command-name.ts';
import { cliPath, root, runCli } from './cli.ts';

describe('the command on the command line', () => {
  it.each([
    [['up', '--dir', 'x'], 'up'],
    [['--dir', 'status', 'down', '--to', '0'], 'down'],
    [['--database-url', 'postgres://h/db', '--json', 'plan'], 'plan'],
    [['--help'], undefined],
    [['upp'], undefined],
    [[], undefined],
  ])('%j names %s', (args, expected) => {
    expect(commandName(args)).toBe(expected);
  });

  it('every command module has a name, and every name a module', () => {
    const modules = readdirSync(join(root, 'src/cli/commands'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    expect([...COMMAND_NAMES].sort()).toEqual(modules.sort());
  });
});

describe('dist/', () => {
  it('holds the entry, one CommonJS bundle per command and one with them all', () => {
    const bundles = readdirSync(join(root, 'dist/commands')).sort();
    expect(bundles).toEqual([...COMMAND_NAMES, 'all'].map((n) => `${n}.js`).sort());
    // The entry only picks a bundle: a template literal inside its require() once made esbuild inline them all.
    expect(statSync(cliPath).size).toBeLessThan(4096);
    expect(JSON.parse(readFileSync(join(root, 'dist/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('finds the command after a global option and its value, as main.ts does', async () => {
    const run = await runCli(['--dir', 'status', 'down', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: stepback down \[options\]/);
  });

  it('lists every command in the help, which no single-command bundle could', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('reports an unknown command as a usage error', async () => {
    const run = await runCli(['upp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'upp'/);
  });

  it('says which file is missing when only part of dist/ was copied', async () => {
    const partial = mkdtempSync(join(tmpdir(), 'stepback-partial-dist-'));
    try {
      copyFileSync(cliPath, join(partial, 'cli.js'));
      copyFileSync(join(root, 'dist/package.json'), join(partial, 'package.json'));
      const run = await runCli(['--dir', 'x', 'up'], { cli: join(partial, 'cli.js') });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        'stepback: commands/up.js is missing beside cli.js; copy the whole dist/ directory\n',
      );
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  });
});
