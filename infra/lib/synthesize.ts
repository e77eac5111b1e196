/** Synthesis to text, shared by the synth script and the test that proves the committed templates are current. */
import { type AppOptions, buildApp, nagFindings } from './app.ts';

export interface Synthesized {
  /** Stack name → template text exactly as committed (2-space JSON, trailing newline). */
  templates: Record<string, string>;
  findings: string[];
}

/** `nag: false` skips the AwsSolutions pass (findings come back empty) when a caller has already run it. */
export function synthesizeTemplates(options: AppOptions & { nag?: boolean } = {}): Synthesized {
  const built = buildApp(options);
  const findings = options.nag === false ? [] : nagFindings(built.app);
  const assembly = built.app.synth();
  const templates: Record<string, string> = {};
  for (const stack of [
    built.manifestBucket,
    built.migrationSecret,
    built.migrationCodeBuild,
    built.deployRoles,
  ]) {
    const template: unknown = assembly.getStackByName(stack.stackName).template;
    templates[stack.stackName] = `${JSON.stringify(template, null, 2)}\n`;
  }
  return { templates, findings };
}
