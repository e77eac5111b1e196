/**
 * Rules for the CodeBuild buildspecs we ship: the 0.2 shape CodeBuild accepts, and secrets only through
 * env.secrets-manager / env.parameter-store (never as plain env.variables, never inline in a command).
 */
import { parse } from 'yaml';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

const PHASES = ['install', 'pre_build', 'build', 'post_build'];
const PHASE_KEYS = ['run-as', 'on-failure', 'runtime-versions', 'commands', 'finally'];
const ENV_KEYS = [
  'shell',
  'variables',
  'parameter-store',
  'secrets-manager',
  'exported-variables',
  'git-credential-helper',
];
/** Names that hold a secret by convention; such a value belongs in secrets-manager or parameter-store. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|ACCESS_KEY|DATABASE_URL|_DSN)$/i;
/** A URL carrying a password (`scheme://user:password@host`). */
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@]+@/i;

export interface Buildspec {
  doc: Dict;
  /** Every command string, phase by phase in run order. */
  commands: { phase: string; command: string }[];
}

export function readBuildspec(text: string): Buildspec {
  const doc: unknown = parse(text);
  if (!isDict(doc)) throw new Error('buildspec is not a mapping');
  const phases = isDict(doc.phases) ? doc.phases : {};
  const commands: Buildspec['commands'] = [];
  for (const phase of PHASES) {
    const p = phases[phase];
    if (isDict(p) && Array.isArray(p.commands))
      for (const c of p.commands) if (typeof c === 'string') commands.push({ phase, command: c });
  }
  return { doc, commands };
}

export function checkBuildspec(text: string): string[] {
  const problems: string[] = [];
  let spec: Buildspec;
  try {
    spec = readBuildspec(text);
  } catch (error) {
    return [`yaml: ${(error as Error).message}`];
  }
  const { doc } = spec;
  // YAML reads `0.2` as a number; CodeBuild accepts it either way, nothing else.
  if (String(doc.version) !== '0.2') problems.push(`version must be 0.2, found ${String(doc.version)}`);

  if (!isDict(doc.phases)) problems.push('phases is missing');
  else {
    for (const [name, phase] of Object.entries(doc.phases)) {
      if (!PHASES.includes(name)) problems.push(`phases.${name} is not a CodeBuild phase`);
      if (!isDict(phase)) {
        problems.push(`phases.${name} is not a mapping`);
        continue;
      }
      for (const key of Object.keys(phase))
        if (!PHASE_KEYS.includes(key)) problems.push(`phases.${name}.${key} is not a phase setting`);
      if ('on-failure' in phase && !['ABORT', 'CONTINUE'].includes(String(phase['on-failure'])))
        problems.push(`phases.${name}.on-failure must be ABORT or CONTINUE`);
      if (
        'commands' in phase &&
        !(Array.isArray(phase.commands) && phase.commands.every((c) => typeof c === 'string'))
      )
        problems.push(`phases.${name}.commands must be a list of strings`);
    }
    if (!isDict(doc.phases.build)) problems.push('phases.build is missing');
  }

  const env = isDict(doc.env) ? doc.env : {};
  for (const key of Object.keys(env))
    if (!ENV_KEYS.includes(key)) problems.push(`env.${key} is not an env setting`);
  const variables = isDict(env.variables) ? env.variables : {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') problems.push(`env.variables.${name} must be a quoted string`);
    if (SECRET_NAME.test(name))
      problems.push(
        `env.variables.${name} looks like a secret; use env.secrets-manager or env.parameter-store`,
      );
    if (CREDENTIAL_URL.test(String(value)))
      problems.push(`env.variables.${name} holds a URL with a password`);
  }
  for (const section of ['secrets-manager', 'parameter-store'])
    if (section in env) {
      const s = env[section];
      if (!isDict(s) || !Object.values(s).every((v) => typeof v === 'string' && v !== ''))
        problems.push(`env.${section} must map variable names to secret references`);
    }
  for (const { phase, command } of spec.commands)
    if (CREDENTIAL_URL.test(command)) problems.push(`phases.${phase}: a command holds a URL with a password`);

  // Exported variables must be set by some command, or CodeBuild exports empty values.
  const exported = Array.isArray(env['exported-variables']) ? env['exported-variables'] : [];
  for (const name of exported)
    if (!spec.commands.some(({ command }) => new RegExp(`(^|[\\s;(])${String(name)}=`, 'm').test(command)))
      problems.push(`env.exported-variables: ${String(name)} is never assigned`);
  return problems;
}
