import pkg from '../../package.json' with { type: 'json' };

/** Recorded with every change (`runner_version`) and shown in `application_name`. */
export const RUNNER_VERSION: string = pkg.version;
