/**
 * Every action input, parsed and validated in one place, so a run reports every bad input at once. Each action declares its inputs
 * here; `parse*Inputs(getInput)` returns a typed config or throws one UsageError listing every bad input by
 * name. Booleans are strict (`true|True|TRUE|false|False|FALSE`), enums list their allowed values.
 *
 * An input's schema is its one definition of whether it is required and of its default (what '' parses
 * to); input-docs.ts adds the words, and derives the rest from here for action.yml and `pipeline --help`.
 */
import * as z from 'zod/mini';
import { UsageError } from '../core/errors.ts';
import { isReleaseName, quoteName, RELEASE_NAME_RULE } from '../core/names.ts';
import { DEFAULT_MANAGE_COMMAND } from '../engines/django/defaults.ts';
import { isToolName, TOOL_NAMES } from '../migrate/adopt/tools.ts';
import { isStoreUrl, STORE_SCHEMES } from '../stores/registry.ts';
import { PIPELINE_ENGINES } from './engines.ts';
import { EXECUTORS, executorPlugin } from './executors/registry.ts';

/** `core.getInput`-shaped: the raw string, '' when not supplied. */
export type GetInput = (name: string) => string;

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

// zod's tree-shakable build: these schemas run before an action's first request on every run, and the full
// build costs that start-up far more than the few checks used here.
type Field<T> = z.ZodMiniType<T, string>;

const rule = <T>(test: (v: T) => boolean, error: string) => z.refine<T>(test, { error });
const trimmed = () =>
  z.pipe(
    z.string(),
    z.transform((v: string) => v.trim()),
  );

/** Free text; '' is `fallback` (undefined when there is none). */
function text(): Field<string | undefined>;
function text(fallback: string): Field<string>;
function text(fallback?: string): Field<string | undefined> {
  return z.pipe(
    z.string(),
    z.transform((v: string) => (v.trim() === '' ? fallback : v.trim())),
  );
}

const required = () => trimmed().check(rule((v: string) => v !== '', 'is required and was not supplied'));

const bool = (fallback: boolean): Field<boolean> =>
  z.pipe(
    trimmed().check(
      rule(
        (v: string) => v === '' || TRUE.includes(v) || FALSE.includes(v),
        'must be one of true, True, TRUE, false, False, FALSE',
      ),
    ),
    z.transform((v: string) => (v === '' ? fallback : TRUE.includes(v))),
  );

const oneOf = <const T extends readonly [string, ...string[]]>(
  values: T,
  fallback: T[number],
): Field<T[number]> =>
  z.pipe(
    trimmed().check(
      rule(
        (v: string) => v === '' || (values as readonly string[]).includes(v),
        `must be one of ${values.join(', ')}`,
      ),
    ),
    z.transform((v: string) => (v === '' ? fallback : (v as T[number]))),
  );

const integer = (fallback: number, min: number, max: number): Field<number> =>
  z.pipe(
    trimmed().check(
      rule(
        (v: string) => v === '' || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max),
        `must be a whole number from ${min} to ${max}`,
      ),
    ),
    z.transform((v: string) => (v === '' ? fallback : Number(v))),
  );

/** Comma- or newline-separated list. */
const list = (): Field<string[]> =>
  z.pipe(
    z.string(),
    z.transform((v: string) =>
      v
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  );

// The one release-name rule (core/names.ts), the same the CLI, the manifests and the stores apply.
const RELEASE_MESSAGE = `must use only ${RELEASE_NAME_RULE}`;
const STORE_MESSAGE = `must be a ${STORE_SCHEMES} URL`;

const release = (): Field<string> =>
  required().check(rule((v: string) => v === '' || isReleaseName(v), RELEASE_MESSAGE));

/** An optional value that, when given, must pass `test`. */
const optional = (test: (v: string) => boolean, error: string): Field<string | undefined> =>
  text().check(rule((v: string | undefined) => v === undefined || test(v), error));

const optionalRelease = (): Field<string | undefined> => optional(isReleaseName, RELEASE_MESSAGE);

/**
 * The shell syntax a runner-command may hold, first match named: the command is split on whitespace and run
 * as a program and its arguments, with no shell, so `a && b` would run `a` with `&&` and `b` as arguments
 * and fail as an exit code far from its cause.
 */
const SHELL_SYNTAX: readonly [RegExp, string][] = [
  [/&&|\|\|/, 'a command list (&& or ||)'],
  [/\|/, 'a pipe (|)'],
  [/;/, 'a command separator (;)'],
  [/\$\(|`/, 'a command substitution ($( ) or backticks)'],
  [/\$/, 'a variable ($)'],
  [/[<>]/, 'a redirection (< or >)'],
  [/&/, 'a background job (&)'],
  [/['"\\]/, 'quoting (quotes or backslashes)'],
  [/[()]/, 'a subshell (parentheses)'],
  [/[\r\n]/, 'several lines'],
  [/(^|\s)~/, 'a home directory (~)'],
];

export function shellSyntaxIn(command: string): string | undefined {
  return SHELL_SYNTAX.find(([pattern]) => pattern.test(command))?.[1];
}

/**
 * The user's runner-command (unset is the flows' own launcher, not checked here): words only. Whatever
 * needs a shell goes into a script in the image (or the checkout) that ends with `exec stepback "$@"`.
 */
const runnerCommand = (): Field<string | undefined> =>
  text().check(
    z.refine((v: string | undefined) => v === undefined || shellSyntaxIn(v) === undefined, {
      error: (issue) =>
        `holds ${shellSyntaxIn(String(issue.input))}, but it is run without a shell: it is split on spaces into a program and its arguments, and stepback's own arguments are appended; put the commands in a script (in the image, or the checkout for executor runner) that ends with \`exec stepback "$@"\`, and name that script here`,
    }),
  );

const TASK_DEFINITION_ARN = /^arn:[^:]+:ecs:[^:]*:\d*:task-definition\/[^:]+:\d+$/;
const TASK_DEFINITION_MESSAGE =
  'must be a full task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)';

const taskDefinitionArn = (): Field<string | undefined> =>
  optional((v) => TASK_DEFINITION_ARN.test(v), TASK_DEFINITION_MESSAGE);

const storeUrl = (): Field<string> =>
  required().check(rule((v: string) => v === '' || isStoreUrl(v), STORE_MESSAGE));

export const DEPLOY_TARGETS = ['ecs', 'file'] as const;
export const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL'] as const;

/** Which engine a release's migrations belong to, and how its code is started (wiring/engines.ts). */
const engineInputs = {
  engine: oneOf(PIPELINE_ENGINES, PIPELINE_ENGINES[0]),
  'manage-command': text(DEFAULT_MANAGE_COMMAND),
};

/** The inputs shared by every action that starts a migration run. */
const executorInputs = {
  ...engineInputs,
  executor: oneOf(EXECUTORS, 'ecs'),
  cluster: text(),
  service: text(),
  container: text(),
  subnets: list(),
  'security-groups': list(),
  'assign-public-ip': bool(false),
  'launch-type': oneOf(LAUNCH_TYPES, 'FARGATE'),
  'task-role-arn': optional(
    (v) => /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(v),
    'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
  ),
  'entry-point-runs-command': bool(false),
  'codebuild-project': text(),
  'migrations-dir': text('migrations'),
  // Unset is the launcher of core/runner-command.ts, which no space-split text can spell.
  'runner-command': runnerCommand(),
  'database-url': text(),
  'timeout-minutes': integer(30, 1, 720),
  region: text(),
};

const deployInputs = {
  'deploy-target': oneOf(DEPLOY_TARGETS, 'ecs'),
  cluster: text(),
  service: text(),
  'state-file': text(),
  drain: bool(false),
  'timeout-minutes': integer(30, 1, 720),
  region: text(),
};

export const actionInputs = {
  migrate: {
    release: release(),
    'task-definition': taskDefinitionArn(),
    image: text(),
    'single-transaction': bool(false),
    adopt: bool(false),
    'adopt-from': optional(isToolName, `must be one of ${TOOL_NAMES.join(', ')}`),
    ...executorInputs,
  },
  'record-release': {
    release: release(),
    store: storeUrl(),
    'migrations-dir': text('migrations'),
    image: text(),
    'task-definition': taskDefinitionArn(),
    'tag-task-definition': bool(true),
    'github-token': text(),
    region: text(),
    ...engineInputs,
  },
  rollback: {
    'to-release': release(),
    'from-release': optionalRelease(),
    store: storeUrl(),
    'dry-run': bool(false),
    'sources-from-store': bool(false),
    'github-token': text(),
    ...executorInputs,
    ...deployInputs,
  },
  rehearse: {
    'migrations-dir': text('migrations'),
    release: optionalRelease(),
    since: text(),
    store: optional(isStoreUrl, STORE_MESSAGE),
    'database-url': text(),
    'require-reversible': bool(false),
    all: bool(false),
    'cache-file': text(),
    'github-token': text(),
    ...engineInputs,
  },
  deploy: {
    // Required with deploy-target ecs (crossChecks); the file target deploys a release by name.
    'task-definition': taskDefinitionArn(),
    release: optionalRelease(),
    ...deployInputs,
  },
} as const;

export type ActionName = keyof typeof actionInputs;
type Spec = Record<string, Field<unknown>>;
export type Parsed<S extends Spec> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };
export type ActionInputs<N extends ActionName> = Parsed<(typeof actionInputs)[N]>;

/** Inputs that carry secrets: masked before anything can print them. */
export const SECRET_INPUTS = ['database-url', 'github-token'] as const;

/** Cross-input rules (which inputs an executor or target needs). Pure; one message per missing input. */
function crossChecks(name: ActionName, v: Record<string, unknown>): string[] {
  const out: string[] = [];
  const need = (input: string, why: string) => {
    if (v[input] === undefined || (Array.isArray(v[input]) && (v[input] as unknown[]).length === 0))
      out.push(`${input}: is required ${why}`);
  };
  if ((name === 'migrate' || name === 'rollback') && v.executor !== undefined) {
    const executor = executorPlugin(v.executor as (typeof EXECUTORS)[number]);
    out.push(...executor.problems(v));
    if (name === 'migrate' && executor.runs === 'task-definition')
      need('task-definition', `with executor ${executor.kind}`);
  }
  if (name === 'migrate' && v['adopt-from'] !== undefined && v.adopt === false)
    out.push('adopt-from: is only read with adopt: true');
  if (name === 'rollback' || name === 'deploy') {
    if (v['deploy-target'] === 'ecs') {
      need('cluster', 'with deploy-target ecs');
      need('service', 'with deploy-target ecs');
    }
    if (v['deploy-target'] === 'file') need('state-file', 'with deploy-target file');
  }
  if (name === 'deploy') {
    if (v['deploy-target'] === 'ecs') need('task-definition', 'with deploy-target ecs');
    if (v['deploy-target'] === 'file' && v['task-definition'] === undefined)
      need('release', 'with deploy-target file when task-definition is not given');
  }
  return [...new Set(out)];
}

export function parseInputs<N extends ActionName>(name: N, getInput: GetInput): ActionInputs<N> {
  const spec = actionInputs[name] as Spec;
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [input, schema] of Object.entries(spec)) {
    const raw = getInput(input);
    const parsed = schema.safeParse(raw);
    if (parsed.success) values[input] = parsed.data;
    else
      problems.push(...parsed.error.issues.map((i) => `${input}: ${i.message} (got ${shown(input, raw)})`));
  }
  const reported = new Set(problems.map((p) => p.split(':')[0]));
  problems.push(...crossChecks(name, values).filter((p) => !reported.has(p.split(':')[0])));
  if (problems.length > 0) {
    throw new UsageError(
      `Invalid input${problems.length === 1 ? '' : 's'} for ${name}: ${[...new Set(problems.map((p) => p.split(':')[0]))].join(', ')}`,
      { problems, hint: `See actions/${name}/action.yml for every input and its allowed values.` },
    );
  }
  return values as ActionInputs<N>;
}

/** The value as a message quotes it: secrets masked, and one line of bounded length whatever was given. */
function shown(input: string, raw: string): string {
  return (SECRET_INPUTS as readonly string[]).includes(input) && raw !== '' ? '"***"' : quoteName(raw);
}
