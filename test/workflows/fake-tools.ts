/**
 * Fake `aws`, `docker`, `npx`, `curl` and `python3`/`python` executables for running the workflows' and buildspecs' shell for real
 * without AWS or downloads: each records its call in $STATE/calls and answers from files in $STATE
 * (image-digest, td.json, denied, download). Only the calls those scripts make are understood; anything else
 * fails loudly.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const ACCOUNT = '123456789012';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;
export const FAMILY_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/app`;

const FAKE_AWS = `#!/usr/bin/env bash
echo "aws $*" >> "$STATE/calls"
case "$1 $2" in
  "sts get-caller-identity") echo "${ACCOUNT}" ;;
  "ecr get-login-password") echo "not-a-real-password" ;;
  "ecr describe-images")
    if [ -f "$STATE/denied" ]; then echo "An error occurred (AccessDeniedException) when calling DescribeImages" >&2; exit 254; fi
    if [ -f "$STATE/image-digest" ]; then cat "$STATE/image-digest"; exit 0; fi
    echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation" >&2; exit 254 ;;
  "ecs describe-task-definition") cat "$STATE/td.json" ;;
  "ecs register-task-definition")
    for a in "$@"; do case "$a" in file://*) cp "\${a#file://}" "$STATE/registered.json" ;; esac; done
    echo "${FAMILY_ARN}:8" ;;
  *) echo "unexpected aws call: $*" >&2; exit 99 ;;
esac
`;
const FAKE_DOCKER = `#!/usr/bin/env bash
echo "docker $*" >> "$STATE/calls"
if [ "$1" = login ]; then cat >/dev/null; fi
if [ "$1" = push ]; then echo "${DIGEST}" > "$STATE/image-digest"; fi
`;
const FAKE_NPX = `#!/usr/bin/env bash
echo "npx $*" >> "$STATE/calls"
`;

/** `curl -fsSL … -o FILE URL`: FILE gets $STATE/download (what the "release" serves). */
const FAKE_CURL = `#!/usr/bin/env bash
echo "curl \${*: -1}" >> "$STATE/calls"
out=
while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2 ;; *) shift ;; esac; done
[ -n "$out" ] && [ -f "$STATE/download" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$STATE/download" "$out"
`;

/** What a downloaded stepback executable does in these runs: record its command line (and, apart, its engine). */
export const FAKE_STEPBACK = `#!/usr/bin/env bash
echo "stepback $*" >> "$STATE/calls"
echo "$1 $2 engine=\${STEPBACK_ENGINE-} manage=\${STEPBACK_MANAGE_COMMAND-}" >> "$STATE/engines"
`;

/** `python3` / `python` (pip installs in the workflows and buildspecs): record the call. */
const FAKE_PYTHON = `#!/usr/bin/env bash
echo "python $*" >> "$STATE/calls"
`;

export interface FakeTools {
  dir: string;
  state: string;
  /** Environment for a script: fakes first on PATH, an empty HOME, $STATE. */
  env: Record<string, string>;
  calls(): string;
  writeState(name: string, content: string): void;
  readState(name: string): string;
  cleanup(): void;
}

export function fakeTools(): FakeTools {
  const dir = mkdtempSync(join(tmpdir(), 'stepback-wf-'));
  const state = join(dir, 'state');
  mkdirSync(state);
  mkdirSync(join(dir, 'bin'));
  for (const [name, body] of [
    ['aws', FAKE_AWS],
    ['docker', FAKE_DOCKER],
    ['npx', FAKE_NPX],
    ['curl', FAKE_CURL],
    ['python3', FAKE_PYTHON],
    ['python', FAKE_PYTHON],
  ] as const) {
    writeFileSync(join(dir, 'bin', name), body);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  return {
    dir,
    state,
    env: { HOME: dir, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, STATE: state, TMPDIR: dir },
    calls: () => (existsSync(join(state, 'calls')) ? readFileSync(join(state, 'calls'), 'utf8') : ''),
    writeState: (name, content) => writeFileSync(join(state, name), content),
    readState: (name) => readFileSync(join(state, name), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A DescribeTaskDefinition `taskDefinition` (revision 7) whose app container runs `image`. */
export function taskDefinition(image: string, container = 'app'): Record<string, unknown> {
  return {
    taskDefinitionArn: `${FAMILY_ARN}:7`,
    family: 'app',
    revision: 7,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: '2026-11-01T00:00:00Z',
    registeredBy: `arn:aws:iam::${ACCOUNT}:role/deploy`,
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: container, image, essential: true },
      { name: 'sidecar', image: 'public.ecr.aws/sidecar:1', essential: false },
    ],
  };
}
