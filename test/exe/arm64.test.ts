/**
 * The linux-arm64 executable (for Graviton) under qemu-user-static, its libraries (glibc, libstdc++) only from
 * an unpacked arm64 Debian minbase root (qemu -L; executables.ts makes it): its version, and a real up and
 * down against the PostgreSQL.
 */
import { existsSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { allowSlowProcesses, jsonLine, migrationsDir, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import {
  canBeRoot,
  debianRoot,
  describeWith,
  executables,
  missingPrerequisite,
  onPath,
  pathWithoutNode,
} from './executables.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();
const qemu = '/usr/bin/qemu-aarch64-static';

const missing = missingPrerequisite([
  [`${qemu} (Debian package qemu-user-static)`, () => existsSync(qemu)],
  ['root or passwordless sudo (debootstrap needs it)', canBeRoot],
  ['debootstrap (Debian package debootstrap)', () => onPath('debootstrap')],
]);

describeWith(missing, 'the linux-arm64 executable under qemu-user-static', () => {
  let exe: string;
  let path: string;
  let libraries: string;
  beforeAll(() => {
    libraries = debianRoot('arm64');
    exe = executables()['linux-arm64'];
    path = pathWithoutNode();
  }, 900_000);

  const run = (args: string[], db?: TestDatabase) =>
    runCli(['-L', libraries, exe, ...args], {
      executable: qemu,
      env: { PATH: path, ...(db ? { DATABASE_URL: db.url } : {}) },
      ...(db ? { password: db.password } : {}),
    });

  it('prints its version as an arm64 build', async () => {
    const version = await run(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(
      /\(executable, commit [0-9a-f]{12}(\+dirty)?, Node v24\.\d+\.\d+, linux-arm64\)/,
    );
  });

  it('applies and reverts migrations in the real PostgreSQL', async () => {
    const db = await freshDb('exe_arm64');
    const dir = migrationsDir({
      '0001_a.up.sql': 'create table arm_a (id int);',
      '0001_a.down.sql': 'drop table arm_a;',
      '0002_b.up.sql': 'alter table arm_a add column b text;',
      '0002_b.down.sql': 'alter table arm_a drop column b;',
    });
    const up = await run(['--dir', dir, 'up', '--json'], db);
    expect(up.code, up.stderr).toBe(0);
    expect(jsonLine(up).applied.map((a) => a.name)).toEqual(['0001_a', '0002_b']);
    await withClient(db.url, async (c) => {
      const columns = await c.query(
        `select column_name from information_schema.columns where table_name = 'arm_a' order by ordinal_position`,
      );
      expect(columns.rows.map((r) => r.column_name)).toEqual(['id', 'b']);
    });
    const down = await run(['--dir', dir, 'down', '--to', '0', '--json'], db);
    expect(down.code, down.stderr).toBe(0);
    expect(jsonLine(down).reverted.map((r) => r.name)).toEqual(['0002_b', '0001_a']);
    await withClient(db.url, async (c) => {
      expect((await c.query(`select to_regclass('public.arm_a') as t`)).rows[0].t).toBeNull();
    });
  });
});
