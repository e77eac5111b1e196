import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortOnSignals, anySignal } from '../../src/aws/cancel.ts';
import { resolveRegion } from '../../src/aws/clients.ts';
import { UsageError } from '../../src/core/errors.ts';

describe('abortOnSignals', () => {
  it('aborts on the first SIGINT, absorbs the following SIGTERM, and removes its handlers on dispose', () => {
    const target = new EventEmitter();
    const wired = abortOnSignals(['SIGINT', 'SIGTERM'], new AbortController(), target as never);
    expect(wired.signal.aborted).toBe(false);
    target.emit('SIGINT', 'SIGINT');
    expect(wired.signal.aborted).toBe(true);
    expect((wired.signal.reason as Error).message).toBe('received SIGINT');
    target.emit('SIGTERM', 'SIGTERM');
    expect((wired.signal.reason as Error).message).toBe('received SIGINT');
    expect(target.listenerCount('SIGTERM')).toBe(1);
    wired.dispose();
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(0);
  });

  it('anySignal fires when either the request or the process signal aborts', () => {
    const request = new AbortController();
    const proc = new AbortController();
    const both = anySignal([request.signal, undefined, proc.signal]);
    expect(both.aborted).toBe(false);
    proc.abort();
    expect(both.aborted).toBe(true);
  });
});

describe('resolveRegion', () => {
  it('takes the explicit region, then AWS_REGION, then AWS_DEFAULT_REGION, and refuses none', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'x' })).toBe('us-east-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'ap-south-1' })).toBe('ap-south-1');
    expect(() => resolveRegion(undefined, {})).toThrow(UsageError);
  });
});
