/**
 * The rehearsal report as markdown (job summaries, PR comments) and as plain text (the CLI). Pure.
 */
import { describeStepError } from './errors.ts';
import type { MigrationOutcome, MigrationRehearsal, RehearsalReport } from './types.ts';

const ICON: Record<MigrationOutcome, string> = {
  ok: '✅ ok',
  'down-failed': '❌ down fails',
  'not-restored': '❌ down does not restore the schema',
  'data-changed': '❌ down loses or changes data',
  'reapply-failed': '❌ up fails after the down',
  irreversible: '⚠️ irreversible',
  skipped: '⏭️ rehearsed before',
  'up-failed': '❌ up fails',
  'fixture-failed': '❌ fixture rows fail to load',
  'not-run': '— not run',
};

/** Markdown cell text: no pipes or newlines breaking the table. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll(/\r?\n/g, '<br>');
}

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

function details(m: MigrationRehearsal): string[] {
  const out: string[] = [];
  if (m.error) out.push(`${m.error.step}: ${describeStepError(m.error)}`);
  for (const d of m.differences) out.push(d);
  for (const d of m.dataDifferences) out.push(d);
  if (m.note) out.push(m.note);
  if (m.fixture) out.push(`fixture rows: ${m.fixture}`);
  return out;
}

export function renderMarkdown(report: RehearsalReport): string {
  const lines: string[] = [];
  const title = report.release ? `Rollback rehearsal: ${report.release}` : 'Rollback rehearsal';
  lines.push(`### ${title}`, '');
  lines.push(`**${report.exitCode === 0 ? '✅' : '❌'} ${cell(report.verdict)}**`, '');
  const since = report.since.release
    ? `release ${code(report.since.release)} (${report.since.migrations} migrations)`
    : 'an empty database';
  lines.push(`Started from ${since} on PostgreSQL ${report.server.version} (${report.server.kind}).`, '');
  if (report.migrations.length > 0) {
    lines.push('| migration | result | details |', '| --- | --- | --- |');
    for (const m of report.migrations) {
      const info = details(m)
        .map((d) => cell(d))
        .join('<br>');
      lines.push(`| ${code(m.name)} | ${ICON[m.outcome]} | ${info} |`);
    }
    lines.push('');
  }
  const r = report.releaseRevert;
  const revert: string[] = [`**Whole release reverted at once:** ${r.outcome}`];
  if (r.reason) revert.push(`(${cell(r.reason)})`);
  lines.push(revert.join(' '));
  if (r.failed && r.error)
    lines.push('', `- down of ${code(r.failed)} failed: ${cell(describeStepError(r.error))}`);
  for (const d of r.differences) lines.push(`- ${cell(d)}`);
  if (report.notes.length > 0) {
    lines.push('', '**Notes**');
    for (const n of report.notes) lines.push(`- ${cell(n)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderText(report: RehearsalReport): string {
  const lines: string[] = [];
  const width = Math.max(9, ...report.migrations.map((m) => m.name.length));
  for (const m of report.migrations) {
    lines.push(`${m.name.padEnd(width)}  ${m.outcome}`);
    for (const d of details(m)) lines.push(`${' '.repeat(width)}    ${d}`);
  }
  const r = report.releaseRevert;
  lines.push(
    `${'release'.padEnd(width)}  revert all at once: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`,
  );
  if (r.failed && r.error)
    lines.push(`${' '.repeat(width)}    down of ${r.failed}: ${describeStepError(r.error)}`);
  for (const d of r.differences) lines.push(`${' '.repeat(width)}    ${d}`);
  for (const n of report.notes) lines.push(`note: ${n}`);
  lines.push(report.verdict);
  return `${lines.join('\n')}\n`;
}
