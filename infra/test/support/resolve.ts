/**
 * Resolve a synthesized template the way CloudFormation would for given parameter values, so tests can assert
 * the concrete ARNs, trust subjects and conditions a deployment would really get (not just the intrinsics).
 * Covers the intrinsics our stacks use: Ref, Fn::If, Fn::Join, Fn::Sub, Fn::Split, Fn::GetAtt and the condition
 * functions. Resource references resolve to readable placeholders (`<LogicalId>`, `<LogicalId.Attr>`).
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Template = {
  Parameters?: Record<
    string,
    { Type: string; Default?: string | number; AllowedPattern?: string; AllowedValues?: string[] }
  >;
  Conditions?: Record<string, Json>;
  Resources: Record<string, { Type: string; Properties?: Record<string, Json>; Condition?: string }>;
  Outputs?: Record<string, { Value: Json }>;
};

const NO_VALUE = Symbol('AWS::NoValue');
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '111122223333',
  'AWS::StackName': 'stack',
};

export interface Resolved {
  /** Resources that exist under these parameters (conditions applied), properties resolved. */
  resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  outputs: Record<string, unknown>;
  conditions: Record<string, boolean>;
}

export function resolveTemplate(template: Template, given: Record<string, string>): Resolved {
  const params: Record<string, string | string[]> = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    const value = given[name] ?? (spec.Default === undefined ? undefined : String(spec.Default));
    if (value === undefined) throw new Error(`parameter ${name} has no default and was not given`);
    // Validate like CloudFormation would, so a test with a bad value fails loudly.
    if (spec.AllowedPattern && !new RegExp(spec.AllowedPattern).test(value))
      throw new Error(`parameter ${name}=${value} does not match ${spec.AllowedPattern}`);
    if (spec.AllowedValues && !spec.AllowedValues.includes(value))
      throw new Error(`parameter ${name}=${value} not in ${spec.AllowedValues.join(',')}`);
    params[name] = spec.Type.startsWith('List<') ? value.split(',') : value;
  }
  for (const name of Object.keys(given))
    if (!(name in params)) throw new Error(`parameter ${name} is not declared by the template`);

  const conditions: Record<string, boolean> = {};
  const condition = (name: string): boolean => {
    if (!(name in conditions)) {
      const expr = template.Conditions?.[name];
      if (expr === undefined) throw new Error(`unknown condition ${name}`);
      conditions[name] = Boolean(evaluate(expr));
    }
    return conditions[name]!;
  };

  const evaluate = (node: Json): unknown => {
    if (Array.isArray(node)) return node.map(evaluate).filter((v) => v !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const key = keys[0]!;
      const arg = node[key] as Json;
      switch (key) {
        case 'Ref': {
          const name = arg as string;
          if (name === 'AWS::NoValue') return NO_VALUE;
          if (name in PSEUDO) return PSEUDO[name];
          if (name in params) return params[name];
          if (name in template.Resources) return `<${name}>`;
          throw new Error(`Ref to unknown ${name}`);
        }
        case 'Fn::GetAtt': {
          const [id, attr] = arg as string[];
          return `<${id}.${attr}>`;
        }
        case 'Fn::If': {
          const [cond, a, b] = arg as [string, Json, Json];
          return evaluate(condition(cond) ? a : b);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json];
          return (evaluate(parts) as unknown[])
            .map((p) => (Array.isArray(p) ? p.join(',') : String(p)))
            .join(sep);
        }
        case 'Fn::Split': {
          const [sep, value] = arg as [string, Json];
          return String(evaluate(value)).split(sep);
        }
        case 'Fn::Sub':
          return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            const value = evaluate({ Ref: name });
            if (typeof value !== 'string') throw new Error(`Fn::Sub of ${name} is not a string`);
            return value;
          });
        case 'Fn::Equals': {
          const [a, b] = (arg as Json[]).map(evaluate);
          return String(a) === String(b);
        }
        case 'Fn::Not':
          return !(evaluate((arg as Json[])[0]!) as boolean);
        case 'Fn::And':
          return (arg as Json[]).every((c) => evaluate(c) === true);
        case 'Fn::Or':
          return (arg as Json[]).some((c) => evaluate(c) === true);
        case 'Condition':
          return condition(arg as string);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const value = evaluate(v);
      if (value !== NO_VALUE) out[k] = value;
    }
    return out;
  };

  const resources: Resolved['resources'] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Condition && !condition(resource.Condition)) continue;
    resources[id] = {
      Type: resource.Type,
      Properties: evaluate((resource.Properties ?? {}) as Json) as Record<string, unknown>,
    };
  }
  const outputs: Record<string, unknown> = {};
  for (const [id, output] of Object.entries(template.Outputs ?? {})) outputs[id] = evaluate(output.Value);
  for (const name of Object.keys(template.Conditions ?? {})) condition(name);
  return { resources, outputs, conditions };
}

export { PSEUDO };
