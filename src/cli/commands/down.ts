import type { Command } from 'commander';
import { RefusedError, UsageError } from '../../core/errors.ts';
import type { ManifestStore } from '../../core/manifest-store.ts';
import { DEFAULT_ENGINE, type Manifest } from '../../core/release-manifest.ts';
import type { RollbackPlan } from '../../core/rollback-plan.ts';
import { commandEngine } from '../engine-option.ts';
import { runResultCommand } from '../output.ts';

/**
 * Where both manifests are at hand (a store), the plan must be the one they imply, not only consistent with
 * its own digest: the same releases and digests, the same migrations reverted and kept.
 */
async function checkPlanAgainstStore(
  plan: RollbackPlan,
  store: ManifestStore,
  newer?: Manifest,
): Promise<void> {
  const [{ planBindingProblems }, { plannerForManifest }] = await Promise.all([
    import('../../core/rollback-plan.ts'),
    import('../../engines/planners.ts'),
  ]);
  const [from, older] = await Promise.all([
    newer ?? store.get(plan.from.release),
    store.get(plan.to.release),
  ]);
  const manifests = { newer: from, older };
  const binding = planBindingProblems(plan, manifests, plannerForManifest(from).plan(manifests));
  if (binding.length > 0)
    throw new RefusedError(
      `refusing the plan ${plan.from.release} → ${plan.to.release}: it is not the plan the releases' manifests in ${store.location} give; nothing was changed`,
      { problems: binding, hint: 'make the plan again with `stepback plan` from the two releases' },
    );
}

export function register(program: Command): void {
  program
    .command('down')
    .description(
      'revert migrations: --to NAME (NAME stays applied; 0 = all) or --plan PLAN (a rollback plan)',
    )
    .option('--to <name>', 'revert every migration applied after NAME; 0 reverts all')
    .option(
      '--plan [plan]',
      'a rollback plan: a file, - for stdin, or (no value) env STEPBACK_PLAN (JSON or gz:+base64)',
    )
    .option(
      '--sources-from <store>',
      "with --plan: run the downs from the plan's newer release's source bundle in this store (env STEPBACK_SOURCES_FROM), not from --dir",
    )
    .option(
      '--store <url>',
      "with --plan: check the plan against both releases' manifests in this store before anything runs",
    )
    .option('--release <release>', 'recorded with every change (env STEPBACK_RELEASE)')
    .option('--json', 'print one stepback/result@1 JSON line on stdout')
    .action(
      async (
        options: {
          to?: string;
          plan?: string | boolean;
          sourcesFrom?: string;
          store?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await runResultCommand('down', cmd, Boolean(options.json), async (opts) => {
          const sourcesFrom = options.sourcesFrom ?? (process.env.STEPBACK_SOURCES_FROM || undefined);
          const problems: string[] = [];
          if (options.to !== undefined && options.plan !== undefined)
            problems.push('pass either --to or --plan, not both');
          if (sourcesFrom !== undefined && options.plan === undefined)
            problems.push('--sources-from needs --plan (the plan names the release whose downs run)');
          if (options.store !== undefined && options.plan === undefined)
            problems.push('--store needs --plan (it is where the plan is checked against its manifests)');
          if (problems.length > 0)
            throw new UsageError(problems.length === 1 ? problems[0]! : 'invalid options', { problems });
          const { engine, manageCommand } = await commandEngine(cmd);
          if (options.plan === undefined) return engine.down({ ...opts, manageCommand, to: options.to });
          // Loaded only for a plan: its validation (zod) is no part of a plain `down --to`.
          const { readPlanInput } = await import('../../migrate/plan-input.ts');
          const plan = readPlanInput({ arg: typeof options.plan === 'string' ? options.plan : undefined });
          if ((plan.engine ?? DEFAULT_ENGINE) !== engine.name)
            throw new UsageError(
              `the plan is for the ${plan.engine ?? DEFAULT_ENGINE} engine, and this run uses ${engine.name}`,
              {
                hint: `pass --engine ${plan.engine ?? DEFAULT_ENGINE} (the plan's manifests say which engine made them)`,
              },
            );
          if (sourcesFrom === undefined) {
            if (options.store !== undefined) {
              const { openReleaseStore } = await import('../../wiring/adapters.ts');
              await checkPlanAgainstStore(plan, await openReleaseStore(options.store));
            }
            return engine.down({ ...opts, manageCommand, plan });
          }
          // From the store: the stored manifest must be the one the plan was made from, and it must name a
          // bundle that proves itself against it (code engines are refused there).
          const [{ openReleaseStore }, { codeReverts, releaseSourcesFromStore }] = await Promise.all([
            import('../../wiring/adapters.ts'),
            import('../../pipeline/release-sources.ts'),
          ]);
          const store = await openReleaseStore(sourcesFrom);
          const release = plan.from.release;
          const stored = await releaseSourcesFromStore(store, release, plan.from.manifestDigest);
          // Both manifests are at hand here: the plan must be the one they imply, not only self-consistent.
          await checkPlanAgainstStore(plan, store, stored.manifest);
          const code = codeReverts(
            plan.revert.map((r) => r.name),
            stored.needsImage,
            release,
          );
          if (code.length > 0)
            throw new RefusedError(
              `refusing to run ${release}'s downs from its source bundle; nothing was changed`,
              {
                problems: code,
                hint: `run the rollback with the image of ${release}`,
              },
            );
          opts.log?.(
            `running the downs of ${release} from its source bundle in ${store.location} (${stored.manifest.sourceBundle}, verified against its manifest)`,
          );
          return engine.down({ ...opts, manageCommand, plan, sources: stored.sources });
        });
      },
    );
}
