/**
 * The project's own rules for workflow files (injection, permissions, pins, inputs that exist), checked on
 * the YAML tree plus the raw text (pin comments live in YAML comments, which a parse drops). Pure: give it the text and a way to read an
 * action's declared inputs; it returns every problem, so one run names them all.
 *
 * GitHub's own schema validation is separate (workflow-parser.ts); these rules are what the schema cannot say.
 */
import { parse } from 'yaml';

export interface Problem {
  /** Which rule: injection, run-expression, permissions, timeout, contents-write, id-token, concurrency, … */
  rule: string;
  /** Job id (or `(workflow)` for top-level problems). */
  where: string;
  message: string;
}

/** Inputs an action declares in its action.yml: name → required-without-default. `undefined` = not found. */
export type ActionInputs = (actionName: string) => Map<string, boolean> | undefined;

export interface RuleOptions {
  /** Looks up a stepback action's inputs by folder name (actions/<name>/action.yml). */
  actionInputs: ActionInputs;
  /** Looks up a reusable workflow's `workflow_call` inputs by path (`.github/workflows/x.yml`). */
  workflowInputs?: (path: string) => Map<string, boolean> | undefined;
  /** Which kind of file, for the rules that only apply to some: the deploy and rollback flows. */
  kind?: 'deploy' | 'rollback' | 'release' | 'ci' | 'other';
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Our own actions: `./actions/X` in this repository, `stepback-dev/stepback/actions/X@ref` in copies. */
const OWN_ACTION = /^(?:\.\/actions\/|stepback-dev\/stepback\/actions\/)([a-z0-9-]+)(?:@.+)?$/;
const OWN_WORKFLOW =
  /^(?:\.\/\.github\/workflows\/|stepback-dev\/stepback\/\.github\/workflows\/)([\w.-]+\.ya?ml)(?:@.+)?$/;
const SHA_PIN = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/;

/** Contexts an outsider can write into (a PR title, a branch name, a dispatch input typed by anyone with access). */
const INJECTABLE = [
  { re: /\binputs\s*\./, name: 'inputs.*' },
  { re: /\bgithub\s*\.\s*event\b(?!_)/, name: 'github.event.*' },
  { re: /\bgithub\s*\[\s*['"]event['"]\s*\]/, name: 'github.event.*' },
  { re: /\bgithub\s*\.\s*head_ref\b/, name: 'github.head_ref' },
  { re: /\bgithub\s*\[\s*['"]head_ref['"]\s*\]/, name: 'github.head_ref' },
];

function expressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1] ?? '');
}

export function permissionsGrant(perms: unknown, scope: string, level: 'write' | 'read'): boolean {
  if (perms === 'write-all') return true;
  if (perms === 'read-all') return level === 'read';
  if (!isDict(perms)) return false;
  const value = perms[scope];
  return level === 'read' ? value === 'read' || value === 'write' : value === 'write';
}

/** Every step's `uses` with the comment after it, from the raw text (YAML parsing drops comments). */
export function usesLines(text: string): { ref: string; comment: string | undefined; line: number }[] {
  const out: { ref: string; comment: string | undefined; line: number }[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)['"]?\s*(?:#\s*(.*))?$/.exec(line);
    if (m?.[1]) out.push({ ref: m[1], comment: m[2]?.trim() || undefined, line: i + 1 });
  });
  return out;
}

interface StepInfo {
  job: string;
  uses: string | undefined;
  run: string | undefined;
  with: Dict;
}

function stepsOf(jobId: string, job: Dict): StepInfo[] {
  return asList(job.steps)
    .filter(isDict)
    .map((s) => ({
      job: jobId,
      uses: typeof s.uses === 'string' ? s.uses : undefined,
      run: typeof s.run === 'string' ? s.run : undefined,
      with: isDict(s.with) ? s.with : {},
    }));
}

/** A job that stores a manifest as a GitHub release asset: the only reason a job may write repository contents. */
function recordsToGitHubRelease(steps: StepInfo[]): boolean {
  return steps.some((s) => {
    const m = s.uses ? OWN_ACTION.exec(s.uses) : null;
    if (m?.[1] !== 'record-release') return false;
    const store = s.with.store;
    return typeof store === 'string' && store.trim().startsWith('github-release://');
  });
}

/** A job that assumes an AWS role over OIDC (a reason for an id-token). */
function assumesAwsRole(steps: StepInfo[]): boolean {
  return steps.some(
    (s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') && 'role-to-assume' in s.with,
  );
}

/** stepback's own release job: npm provenance needs an id-token, the GitHub release and major tag contents: write. */
function publishesWithProvenance(steps: StepInfo[]): boolean {
  return steps.some((s) => /\bnpm publish\b[^\n]*--provenance/.test(s.run ?? ''));
}
function createsGitHubRelease(steps: StepInfo[]): boolean {
  return steps.some((s) => /\bgh release create\b/.test(s.run ?? ''));
}

export function checkWorkflow(text: string, options: RuleOptions): Problem[] {
  const problems: Problem[] = [];
  const add = (rule: string, where: string, message: string) => problems.push({ rule, where, message });

  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    return [{ rule: 'yaml', where: '(workflow)', message: (error as Error).message }];
  }
  if (!isDict(doc) || !isDict(doc.jobs)) return [{ rule: 'yaml', where: '(workflow)', message: 'no jobs' }];

  // Workflow-level permissions are the default for every job: they must grant no write access at all.
  if ('permissions' in doc) {
    const p = doc.permissions;
    const writes = p === 'write-all' || (isDict(p) && Object.values(p).includes('write'));
    if (writes)
      add('permissions', '(workflow)', 'workflow-level permissions grant write access; grant per job');
  }

  // Pins: third-party actions by full commit SHA with a version comment; our own actions by path or tag.
  for (const u of usesLines(text)) {
    if (u.ref.startsWith('./') || OWN_ACTION.test(u.ref) || OWN_WORKFLOW.test(u.ref)) continue;
    if (u.ref.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(u.ref))
        add('pin', `line ${u.line}`, `${u.ref} is not pinned by digest`);
      continue;
    }
    if (!SHA_PIN.test(u.ref)) add('pin', `line ${u.line}`, `${u.ref} is not pinned to a full commit SHA`);
    else if (!u.comment || !/^v\d/.test(u.comment))
      add(
        'pin',
        `line ${u.line}`,
        `${u.ref} has no version comment (# vX.Y.Z) saying which release the SHA is`,
      );
  }

  for (const [jobId, rawJob] of Object.entries(doc.jobs)) {
    if (!isDict(rawJob)) continue;
    const job = rawJob;
    const callsWorkflow = typeof job.uses === 'string';
    const steps = stepsOf(jobId, job);

    if (!('permissions' in job)) add('permissions', jobId, 'job has no permissions: block (least privilege)');
    // A job that calls a reusable workflow cannot carry timeout-minutes; the called jobs carry their own.
    if (!callsWorkflow && !('timeout-minutes' in job)) add('timeout', jobId, 'job has no timeout-minutes');

    const perms = job.permissions;
    if (perms === 'write-all' || perms === 'read-all')
      add('permissions', jobId, `permissions: ${perms} is not least privilege; list the scopes`);
    if (
      permissionsGrant(perms, 'contents', 'write') &&
      !callsWorkflow &&
      !recordsToGitHubRelease(steps) &&
      !createsGitHubRelease(steps)
    )
      add(
        'contents-write',
        jobId,
        'contents: write but the job stores no manifest as a GitHub release asset and creates no release',
      );
    if (
      permissionsGrant(perms, 'id-token', 'write') &&
      !callsWorkflow &&
      !assumesAwsRole(steps) &&
      !publishesWithProvenance(steps)
    )
      add(
        'id-token',
        jobId,
        'id-token: write but the job assumes no AWS role and publishes no npm provenance',
      );
    if (assumesAwsRole(steps) && !permissionsGrant(perms, 'id-token', 'write'))
      add('id-token', jobId, 'the job assumes an AWS role over OIDC but lacks id-token: write');
    if (recordsToGitHubRelease(steps) && !permissionsGrant(perms, 'contents', 'write'))
      add('contents-write', jobId, 'the job writes a GitHub release asset but lacks contents: write');

    for (const step of steps) {
      if (step.run !== undefined) {
        for (const expr of expressions(step.run)) {
          const hit = INJECTABLE.find((c) => c.re.test(expr));
          if (hit)
            add(
              'injection',
              jobId,
              `\${{${expr}}} (${hit.name}) inside run: is script injection; pass it via env:`,
            );
          else
            add(
              'run-expression',
              jobId,
              `\${{${expr}}} inside run:; pass values through env: and quote "$VAR"`,
            );
        }
      }
      const own = step.uses ? OWN_ACTION.exec(step.uses) : null;
      if (own?.[1]) {
        const inputs = options.actionInputs(own[1]);
        if (!inputs) {
          add('action', jobId, `uses ${step.uses} but actions/${own[1]}/action.yml does not exist`);
          continue;
        }
        for (const key of Object.keys(step.with))
          if (!inputs.has(key))
            add('action-input', jobId, `${own[1]}: with.${key} is not an input of the action`);
        for (const [name, required] of inputs)
          if (required && !(name in step.with))
            add('action-input', jobId, `${own[1]}: required input ${name} is not given`);
      }
    }

    if (callsWorkflow && options.workflowInputs) {
      const m = OWN_WORKFLOW.exec(job.uses as string);
      if (m?.[1]) {
        const inputs = options.workflowInputs(`.github/workflows/${m[1]}`);
        const given = isDict(job.with) ? job.with : {};
        if (!inputs) add('workflow', jobId, `calls ${job.uses as string}, which does not exist`);
        else {
          for (const key of Object.keys(given))
            if (!inputs.has(key)) add('workflow-input', jobId, `with.${key} is not an input of ${m[1]}`);
          for (const [name, required] of inputs)
            if (required && !(name in given))
              add('workflow-input', jobId, `required input ${name} is not given`);
        }
      }
    }
  }

  if (options.kind === 'deploy') checkDeployConcurrency(doc, add);
  if (options.kind === 'rollback') checkRollbackGate(doc, add);
  return problems;
}

/** The group must name the environment so two environments deploy independently, and never cancel a run. */
function checkDeployConcurrency(
  doc: Dict,
  add: (rule: string, where: string, message: string) => void,
): void {
  const jobs = isDict(doc.jobs) ? doc.jobs : {};
  const settings = [
    doc.concurrency,
    ...Object.values(jobs).map((j) => (isDict(j) ? j.concurrency : undefined)),
  ];
  const found = settings.filter((c) => c !== undefined);
  if (found.length === 0) {
    add('concurrency', '(workflow)', 'deploy workflow has no concurrency group');
    return;
  }
  for (const c of found) {
    const group = typeof c === 'string' ? c : isDict(c) ? c.group : undefined;
    if (typeof group !== 'string' || !/environment/.test(group))
      add('concurrency', '(workflow)', `concurrency group ${String(group)} is not per environment`);
    // A bare string group is fine: GitHub's default for cancel-in-progress is false.
    if (isDict(c) && c['cancel-in-progress'] !== false && c['cancel-in-progress'] !== undefined)
      add('concurrency', '(workflow)', 'cancel-in-progress must be false: never cancel a running migration');
  }
}

/** The apply job runs behind a GitHub environment (so teams can require approval) and only after the plan job. */
function checkRollbackGate(doc: Dict, add: (rule: string, where: string, message: string) => void): void {
  const jobs = isDict(doc.jobs) ? doc.jobs : {};
  const plan = jobs.plan;
  const apply = jobs.apply;
  if (!isDict(plan)) add('rollback', '(workflow)', 'rollback workflow has no plan job');
  if (!isDict(apply)) {
    add('rollback', '(workflow)', 'rollback workflow has no apply job');
    return;
  }
  const env = isDict(apply.environment) ? apply.environment.name : apply.environment;
  if (typeof env !== 'string' || env.trim() === '')
    add('rollback', 'apply', 'apply job has no environment (the approval gate)');
  const needs = typeof apply.needs === 'string' ? [apply.needs] : asList(apply.needs);
  if (!needs.includes('plan')) add('rollback', 'apply', 'apply job does not need the plan job');
}

/** An action.yml's inputs: name → required and without a default. */
export function actionInputsOf(actionYml: string): Map<string, boolean> {
  const doc: unknown = parse(actionYml);
  const out = new Map<string, boolean>();
  if (!isDict(doc) || !isDict(doc.inputs)) return out;
  for (const [name, def] of Object.entries(doc.inputs)) {
    const d = isDict(def) ? def : {};
    out.set(name, d.required === true && d.default === undefined);
  }
  return out;
}

/** A reusable workflow's `on.workflow_call.inputs`: name → required and without a default. */
export function workflowCallInputsOf(workflowYml: string): Map<string, boolean> | undefined {
  const doc: unknown = parse(workflowYml);
  if (!isDict(doc) || !isDict(doc.on) || !('workflow_call' in doc.on)) return undefined;
  const call = doc.on.workflow_call;
  const out = new Map<string, boolean>();
  if (isDict(call) && isDict(call.inputs))
    for (const [name, def] of Object.entries(call.inputs)) {
      const d = isDict(def) ? def : {};
      out.set(name, d.required === true && d.default === undefined);
    }
  return out;
}
