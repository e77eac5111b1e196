/**
 * The names of the tools whose state table adopt reads, in the order their tables are told apart (registry.ts
 * lists one reader per name). Kept apart from the readers, which load pg, so an action can check an input
 * against them without bundling the database client.
 */
export const TOOL_NAMES = [
  'golang-migrate',
  'migratus',
  'dbmate',
  'goose',
  'flyway',
  'diesel',
  'node-pg-migrate',
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

/** Problems with the tool an option names (`--from`, `--adopt-from`), in that option's words. */
export function toolProblems(option: string, tool: string | undefined): string[] {
  return tool !== undefined && !isToolName(tool)
    ? [`${option} ${tool}: not a tool adopt reads (${TOOL_NAMES.join(', ')})`]
    : [];
}
