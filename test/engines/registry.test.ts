/** The engine registries and how a command picks its engine. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { chooseEngine } from '../../src/engines/choose.ts';
import { auditRequest } from '../../src/engines/django/audit.ts';
import { DJANGO_COMMAND } from '../../src/engines/django/program.ts';
import { PLANNER_NAMES } from '../../src/engines/planners.ts';
import { READER_NAMES } from '../../src/engines/readers.ts';
import { ENGINE_NAMES, loadEngine } from '../../src/engines/registry.ts';
import { REHEARSER_NAMES } from '../../src/rehearse/engines.ts';
import { PIPELINE_ENGINES } from '../../src/wiring/engines.ts';

function dirWith(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepback-engine-'));
  if (config !== undefined) writeFileSync(join(dir, 'stepback.json'), JSON.stringify(config));
  return dir;
}

describe('engine registries', () => {
  it('run, read, plan and rehearse the same engines', () => {
    expect(ENGINE_NAMES).toEqual(['stepback', 'django']);
    expect(READER_NAMES).toEqual(ENGINE_NAMES);
    expect(PLANNER_NAMES).toEqual(ENGINE_NAMES);
    expect(REHEARSER_NAMES).toEqual(ENGINE_NAMES);
    // The engines a pipeline step (the actions, `stepback pipeline`) runs in a release's code.
    expect(PIPELINE_ENGINES).toEqual(ENGINE_NAMES);
  });

  it('name where an unknown engine came from and which exist', async () => {
    const error = await loadEngine('rails', 'STEPBACK_ENGINE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('STEPBACK_ENGINE: unknown engine "rails"');
    expect((error as UsageError).hint).toMatch(/stepback, django/);
  });
});

describe('chooseEngine', () => {
  const config = dirWith({ engine: 'django', manageCommand: '/usr/bin/python3 manage.py' });
  it.each([
    ['the default', {}, {}, dirWith(), { engine: 'stepback', from: 'the default' }],
    ['stepback.json', {}, {}, config, { engine: 'django', manageCommand: '/usr/bin/python3 manage.py' }],
    ['the environment over the file', {}, { STEPBACK_ENGINE: 'stepback' }, config, { engine: 'stepback' }],
    [
      'flags over both',
      { engine: 'django', manageCommand: 'python manage.py' },
      { STEPBACK_ENGINE: 'stepback', STEPBACK_MANAGE_COMMAND: 'x' },
      config,
      { engine: 'django', from: '--engine', manageCommand: 'python manage.py' },
    ],
  ])('%s', (_label, flags, env, cwd, expected) => {
    expect(chooseEngine(flags, env, cwd)).toMatchObject(expected);
  });

  it('reports every problem of a stepback.json together', () => {
    const error = (() => {
      try {
        chooseEngine({}, {}, dirWith({ engine: 3, manageCommand: [] }));
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(error?.problems).toEqual(['engine: must be a string', 'manageCommand: must be a string']);
  });
});

describe('the Django program', () => {
  it('fits an ECS container override (8 KiB in all) with room for the request and the command', () => {
    const override = JSON.stringify({
      command: ['python', 'manage.py', 'shell', '-c', DJANGO_COMMAND],
      environment: [
        {
          name: 'STEPBACK_DJANGO',
          value: JSON.stringify({
            op: 'up',
            schema: 'public',
            table: 'stepback_migrations',
            lockTimeoutMs: 300000,
            audit: auditRequest('public', 'v2'),
          }),
        },
      ],
    });
    expect(Buffer.byteLength(override)).toBeLessThan(8192 - 1024);
  });
});
