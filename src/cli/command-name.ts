/**
 * Which command a command line names. Shared by main.ts and by dist/cli.js (dispatch.ts), which loads the one
 * bundle that holds that command; neither may read the command line differently from the other.
 */

/** Every command, in help order; each is src/cli/commands/<name>.ts (the build makes one bundle per name). */
export const COMMAND_NAMES = [
  'up',
  'down',
  'status',
  'manifest',
  'plan',
  'resolve',
  'verify',
  'rehearse',
  'sync',
  'pipeline',
  'adopt',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** Global options that take a value (so their value is not mistaken for the command name). */
const GLOBAL_WITH_VALUE = new Set([
  '--dir',
  '--database-url',
  '--schema',
  '--wait',
  '--lock-timeout',
  '--engine',
  '--manage-command',
]);

/** The command named on the command line, if it is a known one; otherwise undefined (help, typos). */
export function commandName(args: readonly string[]): CommandName | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return (COMMAND_NAMES as readonly string[]).includes(arg) ? (arg as CommandName) : undefined;
  }
  return undefined;
}
