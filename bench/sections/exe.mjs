/**
 * The standalone executables (scripts/build-binary.mjs): size per architecture, raw and gzipped, and the cold
 * start of the linux-x64 one against the npm package's CLI (`node bin/stepback.js`) on Node 24 and on this
 * machine's Node, for `--version` and for an `up` with nothing to apply (a real connection, lock and state
 * read). Also an x64 build with the V8 code cache, which the shipped build leaves off (it is not reproducible),
 * to show what it would give. Runs are interleaved, so load on the machine hits every command alike.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createDatabase } from '../lib/pg.mjs';
import { childEnv, NotMeasured, run, summarize } from '../lib/util.mjs';
import { node24Path } from './bundles.mjs';

const root = join(import.meta.dirname, '../..');

export async function benchExe({ tmp, runs, log }) {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch))
    throw new NotMeasured('the executables are built on linux-x64 or linux-arm64 only');
  const { buildExecutables } = await import('../../scripts/build-binary.mjs');
  const host = `linux-${process.arch}`;
  log('  building the executables (shipped settings) and a code-cache variant');
  const shipped = await buildExecutables({ outDir: join(tmp, 'exe') });
  const cached = await buildExecutables({
    outDir: join(tmp, 'exe-code-cache'),
    targets: [host],
    codeCache: true,
  });
  const again = await buildExecutables({
    outDir: join(tmp, 'exe-code-cache-2'),
    targets: [host],
    codeCache: true,
  });

  const sizes = {};
  for (const e of shipped.executables) {
    const bytes = readFileSync(e.path);
    sizes[e.target] = {
      bytes: bytes.length,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
      sha256: e.sha256,
    };
  }

  const dir = join(tmp, 'exe-migrations');
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= 3; i++) {
    writeFileSync(join(dir, `000${i}_t${i}.up.sql`), `create table exe_t${i} (id int);\n`);
    writeFileSync(join(dir, `000${i}_t${i}.down.sql`), `drop table exe_t${i};\n`);
  }
  const db = await createDatabase('exe');
  const env = childEnv({ DATABASE_URL: db.url });
  const exe = shipped.executables.find((e) => e.target === host).path;
  const first = await run(exe, ['--dir', dir, 'up'], { env });
  if (first.code !== 0) throw new Error(`the executable's first up failed: ${first.stderr}`);

  const cli = join(root, 'bin/stepback.js');
  if (!existsSync(join(root, 'dist/cli.js'))) throw new NotMeasured('dist/cli.js is not built');
  const node24 = node24Path();
  const commands = {
    executable: [exe],
    'executable, code cache': [cached.executables[0].path],
    ...(node24 ? { 'node 24 bin/stepback.js': [node24, cli] } : {}),
    [`node ${process.version} bin/stepback.js`]: [process.execPath, cli],
  };
  const cases = { '--version': ['--version'], 'up, nothing to apply': ['--dir', dir, 'up'] };
  const startup = {};
  for (const [caseName, args] of Object.entries(cases)) {
    const times = Object.fromEntries(Object.keys(commands).map((c) => [c, []]));
    const cpu = Object.fromEntries(Object.keys(commands).map((c) => [c, []]));
    for (let i = 0; i < runs; i++)
      for (const [label, [cmd, ...lead]] of Object.entries(commands)) {
        const r = await run(cmd, [...lead, ...args], { env, cpu: true });
        if (r.code !== 0) throw new Error(`${label} ${args.join(' ')} failed: ${r.stderr}`);
        times[label].push(r.ms);
        if (r.cpuMs !== undefined) cpu[label].push(r.cpuMs);
      }
    startup[caseName] = Object.fromEntries(
      Object.keys(commands).map((c) => [
        c,
        { wall: summarize(times[c]), cpu: cpu[c].length ? summarize(cpu[c]) : null },
      ]),
    );
    log(
      `  ${caseName}: ${Object.entries(startup[caseName])
        .map(([c, s]) => `${c} ${s.wall.median} ms`)
        .join(', ')}`,
    );
  }
  return {
    node: shipped.node,
    runs,
    sizes,
    codeCache: {
      bytes: cached.executables[0].size,
      reproducible: cached.executables[0].sha256 === again.executables[0].sha256,
    },
    startup,
  };
}
