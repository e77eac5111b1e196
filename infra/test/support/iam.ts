/**
 * A deliberately small IAM evaluator for resolved policies: explicit Deny wins, then any Allow, else implicit
 * deny. Enough to prove "this principal cannot read that secret" without trusting our own reading of the JSON.
 * Conditions are treated as met: that only widens Allows, and the Deny it is used to prove carries none.
 */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { AWS?: string | string[]; Service?: string | string[]; Federated?: string } | '*';
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM wildcard match: `*` any run of characters, `?` one character, case-insensitive for actions. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function applies(statement: Statement, action: string, resource: string, principal?: string): boolean {
  if (!list(statement.Action).some((a) => globMatch(a, action, true))) return false;
  if (!list(statement.Resource).some((r) => globMatch(r, resource))) return false;
  if (principal !== undefined) {
    if (statement.Principal === '*') return true;
    if (!list(statement.Principal?.AWS).some((p) => p === '*' || p === principal)) return false;
  }
  return true;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** Same-account request by `principal` (identity statements are that principal's own policies). */
export function decide(
  request: { principal: string; action: string; resource: string },
  identity: Statement[],
  resourcePolicy: Statement[],
): Decision {
  const fromIdentity = identity.filter((s) => applies(s, request.action, request.resource));
  const fromResource = resourcePolicy.filter((s) =>
    applies(s, request.action, request.resource, request.principal),
  );
  const all = [...fromIdentity, ...fromResource];
  if (all.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  return all.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}
