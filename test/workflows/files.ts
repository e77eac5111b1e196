/** Where the workflow files and actions live, and lookups the rule checker needs, read from disk. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { actionInputsOf, type RuleOptions, workflowCallInputsOf } from './rules.ts';

export const root = resolve(import.meta.dirname, '../..');

export interface WorkflowFile {
  /** Repository-relative path, e.g. `workflows/deploy.yml`. */
  path: string;
  text: string;
}

export function workflowFiles(): WorkflowFile[] {
  const out: WorkflowFile[] = [];
  for (const dir of ['workflows', '.github/workflows']) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).sort())
      if (/\.ya?ml$/.test(name))
        out.push({ path: `${dir}/${name}`, text: readFileSync(join(abs, name), 'utf8') });
  }
  return out;
}

export function actionYmlPath(name: string): string | undefined {
  for (const file of ['action.yml', 'action.yaml']) {
    const p = join(root, 'actions', name, file);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export const diskLookups: Pick<RuleOptions, 'actionInputs' | 'workflowInputs'> = {
  actionInputs: (name) => {
    const p = actionYmlPath(name);
    return p ? actionInputsOf(readFileSync(p, 'utf8')) : undefined;
  },
  workflowInputs: (path) => {
    const p = join(root, path);
    return existsSync(p) ? workflowCallInputsOf(readFileSync(p, 'utf8')) : undefined;
  },
};

export function kindOf(path: string): NonNullable<RuleOptions['kind']> {
  if (/(^|\/)(stepback-)?deploy\.ya?ml$/.test(path)) return 'deploy';
  if (/(^|\/)(stepback-)?rollback\.ya?ml$/.test(path)) return 'rollback';
  if (/(^|\/)release\.ya?ml$/.test(path)) return 'release';
  if (/(^|\/)ci\.ya?ml$/.test(path)) return 'ci';
  return 'other';
}
