import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.ts';
import { loadMigrations } from '../../../src/migrate/index.ts';
import { migrationsDir } from '../../cli/cli.ts';

const failure = async (files: Record<string, string>) => {
  const error = await loadMigrations(migrationsDir(files)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return error as UsageError;
};
const goose = (body: string) => `-- +goose Up\n${body}`;

describe('a directory in one layout', () => {
  it('files of two layouts are a usage error naming both and their files', async () => {
    const error = await failure({
      '00001_a.sql': goose('select 1;'),
      'V1__b.sql': 'select 1;',
      '0002_c.up.sql': 'select 1;',
    });
    expect(error.message).toMatch(
      /mixes layouts: goose \(00001_a\.sql\), stepback \(0002_c\.up\.sql\), flyway \(V1__b\.sql\)$/,
    );
  });

  it('goose: every problem of the directory at once', async () => {
    const error = await failure({
      '00001_unbalanced.sql': goose(
        '-- +goose StatementBegin\ncreate function f() returns int as $$ select 1 $$ language sql;\n',
      ),
      '00002_envsub.sql': '-- +goose ENVSUB ON\n-- +goose Up\nselect 1;\n',
      '00003_two_ups.sql': goose('select 1;\n-- +goose Up\nselect 2;\n'),
      '00004_before.sql': 'select 0;\n-- +goose Up\nselect 1;\n',
      '00005_many.sql': `-- +goose NO TRANSACTION\n${goose('create index concurrently a on t (x);\ncreate index concurrently b on t (y);\n')}`,
      '00006_code.go': 'package migrations',
      '00006_dup.sql': goose('select 1;'),
      '6_dup.sql': goose('select 1;'),
      '00007_down_first.sql': '-- +goose Down\nselect 1;\n-- +goose Up\nselect 2;\n',
      '00008_unknown.sql': goose('-- +goose Sideways\nselect 1;\n'),
    });
    const problems = error.problems.join('\n');
    expect(problems).toMatch(/00001_unbalanced\.sql:2: StatementBegin without a StatementEnd/);
    expect(problems).toMatch(/00002_envsub\.sql:1: -- \+goose ENVSUB substitutes environment variables/);
    expect(problems).toMatch(/00003_two_ups\.sql: needs exactly one -- \+goose Up line, has 2/);
    expect(problems).toMatch(/00004_before\.sql: has statements before its -- \+goose Up line/);
    expect(problems).toMatch(
      /00005_many\.sql \(-- \+goose Up\): marked -- \+goose NO TRANSACTION but holds 2 statements/,
    );
    expect(problems).toMatch(/00006_code\.go: a goose Go migration/);
    expect(problems).toMatch(
      /00006_dup\.sql and 6_dup\.sql: ids 00006 and 6 are the same number written two ways/,
    );
    expect(problems).toMatch(/00007_down_first\.sql: -- \+goose Down \(line 1\) comes before -- \+goose Up/);
    expect(problems).toMatch(/00008_unknown\.sql:2: unknown annotation -- \+goose sideways/);
    expect(error.hint).toMatch(/read as goose's layout/);
  });

  it('dbmate: unknown options, statements outside the blocks, duplicate versions', async () => {
    const error = await failure({
      '20240101_a.sql': '-- migrate:up transaction:maybe\nselect 1;\n',
      '20240102_b.sql': 'select 0;\n-- migrate:up\nselect 1;\n',
      '20240103_c.sql': '-- migrate:up\nselect 1;\n-- migrate:down\nselect 2;\n-- migrate:down\nselect 3;\n',
      '20240103_d.sql': '-- migrate:up\nselect 1;\n',
    });
    const problems = error.problems.join('\n');
    expect(problems).toMatch(/20240101_a\.sql: unknown option transaction:maybe/);
    expect(problems).toMatch(/20240102_b\.sql: has statements before its -- migrate:up line/);
    expect(problems).toMatch(/20240103_c\.sql: has 2 -- migrate:down lines/);
    expect(problems).toMatch(/duplicate version 20240103: 20240103_c\.sql, 20240103_d\.sql/);
  });

  it('migratus: code migrations, a down without an up, ids written two ways', async () => {
    const error = await failure({
      '1-a.up.sql': 'select 1;',
      '2-code.edn': '{}',
      '3-orphan.down.sql': 'select 1;',
      '01-b.up.sql': 'select 1;',
    });
    const problems = error.problems.join('\n');
    expect(problems).toMatch(/2-code\.edn: a migratus code migration/);
    expect(problems).toMatch(/3-orphan\.down\.sql: a down without an up/);
    expect(problems).toMatch(/ids 01 and 1 are the same number written two ways/);
  });

  it('flyway: repeatables refused with what to do, an undo without its migration, 1.0 and 1 as one version', async () => {
    const error = await failure({
      'V1__a.sql': 'select 1;',
      'V1.0__b.sql': 'select 1;',
      'R__views.sql': 'create or replace view v as select 1;',
      'U2__c.sql': 'select 1;',
      'V3__d.sql.conf': 'executeInTransaction=perhaps',
      'V3__d.sql': 'select 1;',
    });
    const problems = error.problems.join('\n');
    expect(problems).toMatch(
      /R__views\.sql: a Flyway repeatable migration; .*move its SQL into a versioned V…__ migration/,
    );
    expect(problems).toMatch(/U2__c\.sql: an undo file without its versioned migration/);
    expect(problems).toMatch(
      /V1\.0__b\.sql and V1__a\.sql: ids 1\.0 and 1 are the same number written two ways; Flyway treats them as one version/,
    );
    expect(problems).toMatch(/V3__d\.sql\.conf: executeInTransaction must be true or false/);
  });
});
