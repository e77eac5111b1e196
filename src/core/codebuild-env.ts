/**
 * Pure pieces of a CodeBuild run: the inline buildspec that runs one command, and the environment overrides
 * — where secrets may only travel as SECRETS_MANAGER / PARAMETER_STORE references (plaintext
 * overrides are visible to anyone who can read the build).
 */

export type SecretSource = 'SECRETS_MANAGER' | 'PARAMETER_STORE';

export interface SecretReference {
  type: SecretSource;
  /** Secret ARN (optionally `:json-key:…`) or parameter name. */
  ref: string;
}

export interface BuildEnvVar {
  name: string;
  value: string;
  type: 'PLAINTEXT' | SecretSource;
}

/** Quote one argument for `sh` (CodeBuild runs buildspec commands with a POSIX shell). */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * A buildspec (version 0.2) whose build phase runs exactly `argv`. Written as JSON, which is valid YAML, so no
 * YAML quoting rule can change the command.
 */
export function buildspecFor(argv: readonly string[]): string {
  return JSON.stringify({ version: '0.2', phases: { build: { commands: [shellCommand(argv)] } } });
}

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|CREDENTIAL)/i;
const SECRET_VALUE: { test: RegExp; what: string }[] = [
  { test: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s]+@/i, what: 'a URL with a password' },
  { test: /\bpassword\s*=/i, what: 'a connection string with a password' },
  { test: /^(ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{20,}$|^github_pat_/, what: 'a GitHub token' },
  { test: /^(AKIA|ASIA)[A-Z0-9]{16}$/, what: 'an AWS access key id' },
  { test: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
];

/**
 * Why plaintext variables must not be sent (names only, never values). A variable is refused when it is
 * flagged secret, when its name says it is one, or when its value looks like one.
 */
export function plaintextSecretProblems(
  env: Readonly<Record<string, string>>,
  flaggedSecret: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (flaggedSecret.includes(name)) {
      problems.push(`${name} is a secret and cannot be passed as a PLAINTEXT build variable`);
      continue;
    }
    if (SECRET_NAME.test(name)) {
      problems.push(
        `${name} looks like a secret (by its name) and cannot be passed as a PLAINTEXT build variable`,
      );
      continue;
    }
    const hit = SECRET_VALUE.find((s) => s.test.test(value));
    if (hit) problems.push(`${name} holds ${hit.what} and cannot be passed as a PLAINTEXT build variable`);
  }
  return problems;
}

export function buildEnvironment(
  env: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, SecretReference>>,
): BuildEnvVar[] {
  const out: BuildEnvVar[] = Object.entries(env).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' }));
  for (const [name, ref] of Object.entries(secrets)) out.push({ name, value: ref.ref, type: ref.type });
  return out;
}
