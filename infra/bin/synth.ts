/**
 * `npm run synth --workspace infra`: synthesize every stack and write its template to
 * `infra/cloudformation/<StackName>.template.json` (stable output: CI regenerates and diffs it). Fails, writing
 * nothing, when cdk-nag's AwsSolutions pack reports an unacknowledged finding.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { synthesizeTemplates } from '../lib/synthesize.ts';

const outDir = resolve(import.meta.dirname, '../cloudformation');
const scratch = mkdtempSync(join(tmpdir(), 'stepback-cdk-'));
try {
  const { templates, findings } = synthesizeTemplates({ outdir: scratch });
  if (findings.length > 0) {
    console.error(
      `cdk-nag AwsSolutions: ${findings.length} unacknowledged finding(s):\n${findings.join('\n')}`,
    );
    process.exitCode = 1;
  } else {
    mkdirSync(outDir, { recursive: true });
    const wanted = new Set(Object.keys(templates).map((name) => `${name}.template.json`));
    // A removed stack must not leave a stale template behind.
    for (const file of readdirSync(outDir)) {
      if (file.endsWith('.template.json') && !wanted.has(file)) rmSync(join(outDir, file));
    }
    for (const [name, body] of Object.entries(templates)) {
      writeFileSync(join(outDir, `${name}.template.json`), body);
      console.log(`wrote cloudformation/${name}.template.json`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
