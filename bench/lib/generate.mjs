/**
 * Deterministic generator of a realistic migration history: tables created over time, columns added to them,
 * indexes on those columns, small data inserts and backfills. Every migration has a down that exactly undoes
 * it when the history is reverted newest first (the property the revert benchmark relies on).
 *
 * The same logical migrations are written in each tool's format so every tool applies identical SQL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: small, fast, seeded; the history depends only on (count, seed). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, w) => String(n).padStart(w, '0');

/**
 * @param {number} count
 * @param {number} [seed]
 * @returns {{ name: string, kind: string, up: string, down: string }[]}
 */
export function generateMigrations(count, seed = 42) {
  const rand = rng(seed);
  const width = Math.max(4, String(count).length);
  /** @type {{ name: string, columns: { name: string, type: string, indexed: boolean, backfilled: boolean }[], rows: number }[]} */
  const tables = [];
  const out = [];
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const columnTypes = ['integer', 'text', 'boolean', 'timestamptz', 'numeric(12,2)', 'bigint'];

  for (let i = 1; i <= count; i++) {
    const id = pad(i, width);
    const r = rand();
    let kind;
    if (tables.length === 0 || r < 0.12) kind = 'create_table';
    else if (r < 0.47) kind = 'add_column';
    else if (r < 0.72) kind = 'create_index';
    else if (r < 0.86) kind = 'insert_rows';
    else kind = 'backfill';

    const table = tables.length ? pick(tables) : undefined;
    if (kind === 'create_index' && !table.columns.some((c) => !c.indexed)) kind = 'add_column';
    if (kind === 'backfill' && !table.columns.some((c) => !c.backfilled && c.type === 'integer')) {
      kind = 'insert_rows';
    }

    let up;
    let down;
    let label;
    if (kind === 'create_table') {
      const t = { name: `t${pad(tables.length + 1, 4)}`, columns: [], rows: 0 };
      tables.push(t);
      label = `create_${t.name}`;
      up =
        `CREATE TABLE ${t.name} (\n  id bigserial PRIMARY KEY,\n  label text NOT NULL,\n` +
        `  created_at timestamptz NOT NULL DEFAULT now(),\n  updated_at timestamptz\n);\n` +
        `COMMENT ON TABLE ${t.name} IS 'created by migration ${id}';\n`;
      down = `DROP TABLE ${t.name};\n`;
    } else if (kind === 'add_column') {
      const type = rand() < 0.4 ? 'integer' : pick(columnTypes);
      const col = { name: `c${id}`, type, indexed: false, backfilled: false };
      table.columns.push(col);
      label = `add_${table.name}_${col.name}`;
      const withDefault = type === 'boolean' ? ' NOT NULL DEFAULT false' : '';
      up = `ALTER TABLE ${table.name} ADD COLUMN ${col.name} ${type}${withDefault};\n`;
      down = `ALTER TABLE ${table.name} DROP COLUMN ${col.name};\n`;
    } else if (kind === 'create_index') {
      const col = pick(table.columns.filter((c) => !c.indexed));
      col.indexed = true;
      const idx = `${table.name}_${col.name}_idx`;
      label = `index_${table.name}_${col.name}`;
      up = `CREATE INDEX ${idx} ON ${table.name} (${col.name});\n`;
      down = `DROP INDEX ${idx};\n`;
    } else if (kind === 'insert_rows') {
      const n = 5 + Math.floor(rand() * 20);
      table.rows += n;
      label = `seed_${table.name}`;
      up =
        `INSERT INTO ${table.name} (label)\n  SELECT 'm${id} row ' || g FROM generate_series(1, ${n}) AS g;\n` +
        `UPDATE ${table.name} SET updated_at = now() WHERE label LIKE 'm${id} %';\n`;
      down = `DELETE FROM ${table.name} WHERE label LIKE 'm${id} %';\n`;
    } else {
      const col = pick(table.columns.filter((c) => !c.backfilled && c.type === 'integer'));
      col.backfilled = true;
      label = `backfill_${table.name}_${col.name}`;
      // The column was added NULL and nothing else writes it, so the down restores it exactly.
      up = `UPDATE ${table.name} SET ${col.name} = length(label) + id::integer % 7 WHERE ${col.name} IS NULL;\n`;
      down = `UPDATE ${table.name} SET ${col.name} = NULL;\n`;
    }
    out.push({ name: `${id}_${label}`, kind, up, down });
  }
  return out;
}

/**
 * Writes the history in every format the benchmark needs under `root`:
 *   sql/        `<name>.up.sql` + `<name>.down.sql` (stepback, psql, umzug)
 *   npm/        `<name>.sql` with `-- Up Migration` / `-- Down Migration` (node-pg-migrate's SQL format)
 *   psql-up.sql / psql-down.sql   one psql script: BEGIN; \i file; COMMIT; per migration (the floor)
 */
export function writeMigrationSets(root, migrations) {
  const sqlDir = join(root, 'sql');
  const npmDir = join(root, 'npm');
  mkdirSync(sqlDir, { recursive: true });
  mkdirSync(npmDir, { recursive: true });
  const upScript = ['\\set ON_ERROR_STOP on'];
  const downScript = ['\\set ON_ERROR_STOP on'];
  // The same, but each migration sent as ONE query (psql joins statements separated by `\;`): one round
  // trip per migration. Valid for the generated SQL, whose only semicolons end statements.
  const oneQuery = (sql) => `BEGIN \\;\n${sql.trim().replace(/;\s*$/gm, ' \\;')}\nCOMMIT;`;
  const upScript1 = ['\\set ON_ERROR_STOP on'];
  const downScript1 = ['\\set ON_ERROR_STOP on'];
  for (const m of migrations) {
    writeFileSync(join(sqlDir, `${m.name}.up.sql`), m.up);
    writeFileSync(join(sqlDir, `${m.name}.down.sql`), m.down);
    writeFileSync(join(npmDir, `${m.name}.sql`), `-- Up Migration\n${m.up}\n-- Down Migration\n${m.down}`);
    upScript.push('BEGIN;', `\\i ${join(sqlDir, `${m.name}.up.sql`)}`, 'COMMIT;');
    upScript1.push(oneQuery(m.up));
  }
  for (const m of [...migrations].reverse()) {
    downScript.push('BEGIN;', `\\i ${join(sqlDir, `${m.name}.down.sql`)}`, 'COMMIT;');
    downScript1.push(oneQuery(m.down));
  }
  writeFileSync(join(root, 'psql-up-1q.sql'), upScript1.join('\n') + '\n');
  writeFileSync(join(root, 'psql-down-1q.sql'), downScript1.join('\n') + '\n');
  writeFileSync(join(root, 'psql-up.sql'), upScript.join('\n') + '\n');
  writeFileSync(join(root, 'psql-down.sql'), downScript.join('\n') + '\n');
  return {
    sqlDir,
    npmDir,
    psqlUp: join(root, 'psql-up.sql'),
    psqlDown: join(root, 'psql-down.sql'),
    psqlUp1q: join(root, 'psql-up-1q.sql'),
    psqlDown1q: join(root, 'psql-down-1q.sql'),
  };
}
