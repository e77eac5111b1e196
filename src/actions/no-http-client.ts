/**
 * Stands in for `@actions/http-client` in the action bundles (scripts/build.mjs aliases it here).
 * `@actions/core` imports it only for `getIDToken` (OIDC), which no stepback action calls; the real client
 * brings undici (~415 kB minified), whose evaluation was most of an action's start-up time.
 */
const unsupported = 'stepback actions do not use the GitHub OIDC token (core.getIDToken)';

export class HttpClient {
  constructor() {
    throw new Error(unsupported);
  }
}

export class BearerCredentialHandler {
  constructor() {
    throw new Error(unsupported);
  }
}
