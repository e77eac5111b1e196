/**
 * The committed templates are what teams without CDK deploy: they must be exactly what the code synthesizes,
 * and synthesis must be deterministic (CI regenerates them and fails on any difference).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { nagFindings, newApp, STACK_NAMES } from '../lib/app.ts';
import { synthesizeTemplates } from '../lib/synthesize.ts';

const committedDir = resolve(import.meta.dirname, '../cloudformation');

describe('synthesized templates', () => {
  // CDK's CloudFormation validation is left to the synth script; templates are the same either way.
  const first = synthesizeTemplates({ cfnValidation: false });

  it('are committed, current, one file per stack (run `npm run synth --workspace infra` if this fails)', () => {
    const files = readdirSync(committedDir)
      .filter((f) => f.endsWith('.template.json'))
      .sort();
    expect(files).toEqual(
      Object.values(STACK_NAMES)
        .map((name) => `${name}.template.json`)
        .sort(),
    );
    for (const [name, body] of Object.entries(first.templates)) {
      expect(readFileSync(resolve(committedDir, `${name}.template.json`), 'utf8'), name).toBe(body);
    }
  });

  it('are deterministic and bootstrap-free: a second synthesis is byte-identical, with no CDK metadata', () => {
    const second = synthesizeTemplates({ cfnValidation: false, nag: false });
    expect(second.templates).toEqual(first.templates);
    for (const body of Object.values(first.templates)) {
      expect(body).not.toMatch(/BootstrapVersion|AWS::CDK::Metadata|aws:cdk:path|aws:asset|cdk-hnb659fds/);
    }
  });

  it('document every parameter (description, and a pattern or value list for free-form strings) in the README too', () => {
    const readme = readFileSync(resolve(committedDir, '../README.md'), 'utf8');
    for (const [stack, body] of Object.entries(first.templates)) {
      const parameters = (JSON.parse(body) as { Parameters?: Record<string, Record<string, unknown>> })
        .Parameters;
      expect(Object.keys(parameters ?? {}).length, stack).toBeGreaterThan(0);
      for (const [name, spec] of Object.entries(parameters ?? {})) {
        expect(spec.Description, `${stack}.${name} description`).toEqual(expect.stringMatching(/\w+ \w+/));
        if (spec.Type === 'String')
          expect(spec.AllowedPattern ?? spec.AllowedValues, `${stack}.${name} pattern`).toBeDefined();
        expect(readme, `${stack}.${name} in README`).toContain(`| \`${name}\``);
      }
    }
  });

  it('pass the AwsSolutions pack in every stack, and the check does catch a violation', () => {
    expect(first.findings).toEqual([]);
    // The same check on a bucket without TLS enforcement or public-access block must report it.
    const scratch = new Stack(newApp({ cfnValidation: false }), 'Scratch');
    new Bucket(scratch, 'Loose');
    expect(nagFindings(scratch).join('\n')).toMatch(/AwsSolutions-S10/);
  });
});
