/**
 * What the Django program needs to keep stepback's audit trail inside the image (program.ts): the DDL of
 * stepback's tables (one definition, migrate/state.ts, packed for the ECS override), the events table, the
 * release and the runner version each row names. Run id and actor reach the program as STEPBACK_RUN_ID and
 * STEPBACK_ACTOR, as they reach stepback's own CLI.
 */
import { ensureStateSql, stateNames } from '../../migrate/state.ts';
import { RUNNER_VERSION } from '../../migrate/version.ts';
import { pack } from './program.ts';

export interface AuditRequest {
  ddl: string;
  events: string;
  release: string | null;
  version: string;
}

export function auditRequest(schema: string, release: string | null): AuditRequest {
  const names = stateNames(schema);
  return {
    ddl: pack(ensureStateSql(names)),
    events: names.events,
    release,
    version: `${RUNNER_VERSION} django`,
  };
}
