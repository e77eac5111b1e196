/**
 * Plans as Markdown tables: readable as plain text in a terminal, rendered as tables in a GitHub job summary.
 */
import type { PlanCheck, PlanResult, RollbackPlan } from './rollback-plan.ts';

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function short(checksum: string): string {
  return checksum.startsWith('sha256:') ? `${checksum.slice(0, 19)}…` : checksum;
}

export function renderChecks(checks: readonly PlanCheck[]): string {
  return table(
    ['check', 'result', 'detail'],
    checks.map((c) => [c.id, c.ok ? 'ok' : 'FAILED', c.detail]),
  );
}

export interface RenderPlanOptions {
  /** From reconcilePlan against the live database: which of the reverts are already done. */
  alreadyReverted?: readonly string[];
}

/** The revert list (in the order the downs run) and the checks. */
export function renderPlan(plan: RollbackPlan, options: RenderPlanOptions = {}): string {
  const done = new Set(options.alreadyReverted ?? []);
  const title = `Rollback plan: ${plan.from.release} → ${plan.to.release} (revert ${plan.revert.length}, keep ${plan.keep.length})`;
  const parts = [title, ''];
  if (plan.revert.length === 0)
    parts.push(`Nothing to revert: ${plan.to.release} has every migration ${plan.from.release} applied.`);
  else
    parts.push(
      table(
        ['#', 'migration', 'state', 'down checksum'],
        plan.revert.map((r, i) => [
          String(i + 1),
          r.name,
          done.has(r.name) ? 'already reverted' : 'to revert',
          short(r.downChecksum),
        ]),
      ),
    );
  if (plan.targets && plan.targets.length > 0)
    parts.push(
      '',
      `${plan.engine ?? 'the engine'} runs, all targets at once: ${plan.targets.map((t) => `migrate ${t.app} ${t.migration ?? 'zero'}`).join(' · ')}`,
    );
  parts.push('', renderChecks(plan.checks));
  if (!plan.checks.some((c) => c.id === 'database-matches'))
    parts.push(
      '',
      'The database was not checked (no status given); `stepback down --plan` re-checks it before changing anything.',
    );
  parts.push(
    '',
    `manifests: ${plan.from.release} ${plan.from.manifestDigest}, ${plan.to.release} ${plan.to.manifestDigest}`,
  );
  return parts.join('\n');
}

/** A plan or a refusal, for humans. */
export function renderPlanResult(
  result: PlanResult,
  labels: { from: string; to: string },
  options?: RenderPlanOptions,
): string {
  if (result.ok) return renderPlan(result.plan, options);
  return [
    `Rollback refused: ${labels.from} → ${labels.to} (${result.reasons.length} reason${result.reasons.length === 1 ? '' : 's'})`,
    '',
    renderChecks(result.checks),
    '',
    ...result.reasons.map((r) => `- ${r}`),
  ].join('\n');
}
