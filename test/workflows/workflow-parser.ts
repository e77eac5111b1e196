/**
 * GitHub's own workflow schema check (@actions/workflow-parser, the parser behind the Actions language
 * service). Only importable inside vitest with `server.deps.inline` (its dist imports JSON without an import
 * attribute; toolchain-spike.md §5). TryConversion makes the semantic pass (cron, needs, expressions) run even
 * after a parse error, so one call reports everything.
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { ErrorPolicy } from '@actions/workflow-parser/model/convert';

export async function workflowSchemaErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const messages = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value, undefined, {
      errorPolicy: ErrorPolicy.TryConversion,
    });
    for (const e of template.errors ?? []) if (!messages.includes(e.Message)) messages.push(e.Message);
  }
  return messages;
}
