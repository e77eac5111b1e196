/**
 * examples/kubernetes: every manifest parses as YAML and validates against the Kubernetes API schemas
 * (kubernetes-models, the OpenAPI definitions of the API server), and holds what the GitOps page promises:
 * hook annotations, no Kubernetes API access, the database URL from a Secret, `stepback sync` to the release.
 * The Helm templates are rendered with the chart's values first (only plain value substitutions are used).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const examples = resolve(import.meta.dirname, '../../examples/kubernetes');

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

function documents(text: string, where: string): Doc[] {
  return parseAllDocuments(text).map((d) => {
    expect(d.errors, `${where}: ${d.errors.join('; ')}`).toEqual([]);
    return d.toJS() as Doc;
  });
}

/** `{{ .Values.a.b }}` and `{{ .Release.Name }}` only: anything else would need Helm itself. */
function renderHelm(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    if (expr === '.Release.Name') return 'app';
    const m = /^\.Values\.([A-Za-z0-9_.]+)$/.exec(expr);
    if (!m) throw new Error(`the test renderer does not support {{ ${expr} }}`);
    const value = m[1]!
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], values);
    if (typeof value !== 'string') throw new Error(`.Values.${m[1]} is not a string in values.yaml`);
    return value;
  });
}

/** Validates against the API schema (throws naming the field) and returns the doc. */
function validate(doc: Doc): Doc {
  const models: Record<string, new (data: never) => { validate(): void }> = {
    'batch/v1 Job': Job,
    'v1 ServiceAccount': ServiceAccount,
    'v1 Secret': Secret,
  };
  const Model = models[`${doc.apiVersion} ${doc.kind}`];
  expect(Model, `no schema check for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
  new Model!(doc as never).validate();
  return doc;
}

function argocd(): Doc[] {
  const dir = join(examples, 'argocd');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => documents(readFileSync(join(dir, f), 'utf8'), f));
}

function helm(): Doc[] {
  const values = parse(readFileSync(join(examples, 'helm/values.yaml'), 'utf8')) as Record<string, unknown>;
  const dir = join(examples, 'helm/templates');
  return readdirSync(dir).flatMap((f) =>
    documents(renderHelm(readFileSync(join(dir, f), 'utf8'), values), f),
  );
}

type PodSpec = {
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  restartPolicy?: string;
  containers: {
    command?: string[];
    args?: string[];
    env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }[];
  }[];
};

function checkSyncJob(docs: Doc[], hookKey: string, hookValue: RegExp): void {
  for (const doc of docs) validate(doc);
  // Minimum RBAC is none: no Role, RoleBinding or cluster-wide grant anywhere.
  expect(docs.map((d) => d.kind).filter((k) => /Role/.test(k))).toEqual([]);
  const job = docs.find((d) => d.kind === 'Job')!;
  expect(job.metadata.annotations?.[hookKey]).toMatch(hookValue);
  const pod = (job.spec as { template: { spec: PodSpec } }).template.spec;
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.restartPolicy).toBe('Never');
  const account = docs.find((d) => d.kind === 'ServiceAccount' && d.metadata.name === pod.serviceAccountName);
  expect(account?.automountServiceAccountToken).toBe(false);
  const [container] = pod.containers;
  const argv = [...(container!.command ?? []), ...(container!.args ?? [])];
  expect(argv).toContain('stepback');
  const sync = argv.indexOf('sync');
  expect(sync).toBeGreaterThan(-1);
  expect(argv.slice(sync)).toEqual([
    'sync',
    '--to-release',
    '$(STEPBACK_TO_RELEASE)',
    '--store',
    '$(STEPBACK_STORE)',
  ]);
  const env = new Map(container!.env?.map((e) => [e.name, e]));
  expect(env.get('STEPBACK_TO_RELEASE')?.value).toMatch(/^v\d/);
  expect(env.get('STEPBACK_STORE')?.value).toMatch(/^(s3|github-release|file):\/\//);
  // The database URL comes from a Secret, never a plain value in the manifest.
  expect(env.get('DATABASE_URL')?.value).toBeUndefined();
  expect(env.get('DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe('url');
}

describe('examples/kubernetes', () => {
  it('Argo CD: a PreSync hook Job (and its service account) that runs stepback sync, valid against the API schema', () => {
    const docs = argocd();
    checkSyncJob(docs, 'argocd.argoproj.io/hook', /^PreSync$/);
    const account = docs.find((d) => d.kind === 'ServiceAccount')!;
    expect(account.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PreSync');
    expect(Number(account.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBeLessThan(0);
  });

  it('Helm: a pre-install/pre-upgrade/pre-rollback hook Job, rendered with the values, valid against the API schema', () => {
    const docs = helm();
    checkSyncJob(docs, 'helm.sh/hook', /pre-rollback/);
    const job = docs.find((d) => d.kind === 'Job')!;
    expect(job.metadata.annotations?.['helm.sh/hook']?.split(',')).toEqual([
      'pre-install',
      'pre-upgrade',
      'pre-rollback',
    ]);
    const pod = (job.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec;
    // The release is the image tag: a rollback's hook runs the older image and syncs to the older release.
    expect(pod.containers[0]!.image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1.4.0');
  });

  it('the schema check catches a wrong field type (it is not a parse-only check)', () => {
    const job = structuredClone(argocd().find((d) => d.kind === 'Job')!);
    (job.spec as { backoffLimit: unknown }).backoffLimit = 'one';
    expect(() => validate(job)).toThrow(/backoffLimit/);
  });
});
