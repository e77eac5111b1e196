import { UsageError } from '../core/errors.ts';

/** A setting an adapter cannot work without (inputs.ts checks these first; this guards other callers). */
export class DeployTargetConfigError extends UsageError {
  constructor(setting: string, what: string) {
    super(`${setting} is required with ${what}`);
  }
}
