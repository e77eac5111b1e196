/**
 * Following one CloudWatch Logs stream. GetLogEvents from the head, paging with the
 * previous nextForwardToken (which requires startFromHead: true); the end of the stream is the same token
 * coming back. The stream does not exist until the container starts, so ResourceNotFoundException means
 * "not yet". After the work stops, `drain` reads until two consecutive empty pages so the tail is not lost.
 */
import { GetLogEventsCommand, type GetLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { classifyAwsError } from '../core/aws-errors.ts';
import { AwsAccessError, awsCall, type CallContext } from './aws-call.ts';

const MAX_PAGES_PER_POLL = 50;

/**
 * What a tail needs of a CloudWatch Logs client (a CloudWatchLogsClient is one). The adapters pass one that
 * builds the real client on its first call: logs are read only after the task or build has started.
 */
export interface LogsClient {
  send(command: GetLogEventsCommand): Promise<GetLogEventsCommandOutput>;
}

export class LogTail {
  private token: string | undefined;
  /** True once the stream has been found. */
  exists = false;
  /** Reading stopped for good (no permission): the caller already got a warning. */
  disabled = false;
  readonly lines: string[] = [];

  constructor(
    private readonly client: LogsClient,
    readonly group: string,
    readonly stream: string,
    private readonly onLine: (line: string) => void,
    private readonly ctx: CallContext,
  ) {}

  /** Read everything available now. Returns how many lines were read. */
  async poll(): Promise<number> {
    if (this.disabled) return 0;
    let read = 0;
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      let out: GetLogEventsCommandOutput;
      try {
        out = await awsCall(
          'logs:GetLogEvents',
          () =>
            this.client.send(
              new GetLogEventsCommand({
                logGroupName: this.group,
                logStreamName: this.stream,
                startFromHead: true,
                ...(this.token ? { nextToken: this.token } : {}),
              }),
            ),
          this.ctx,
          { maxRetries: 3 },
        );
      } catch (error) {
        if (classifyAwsError(error) === 'not-found') return read;
        if (error instanceof AwsAccessError && error.kind === 'access') {
          // Logs are for people; the verdict does not depend on them. Say so once and carry on without.
          this.disabled = true;
          this.ctx.log.warn(
            `Cannot read the log stream ${this.group}/${this.stream}: ${error.message} (${error.hint})`,
          );
          return read;
        }
        throw error;
      }
      this.exists = true;
      const events = out.events ?? [];
      for (const event of events) {
        for (const line of (event.message ?? '').replace(/\r?\n$/, '').split(/\r?\n/)) {
          this.lines.push(line);
          this.onLine(line);
          read += 1;
        }
      }
      const same = out.nextForwardToken === undefined || out.nextForwardToken === this.token;
      this.token = out.nextForwardToken ?? this.token;
      if (same || events.length === 0) break;
    }
    return read;
  }

  /** After the work stopped: read until two consecutive empty pages (bounded). */
  async drain(intervalMs: number, maxRounds = 10): Promise<void> {
    let empty = 0;
    for (let round = 0; round < maxRounds && empty < 2 && !this.disabled; round++) {
      const read = await this.poll();
      empty = read === 0 ? empty + 1 : 0;
      if (empty < 2) await this.ctx.clock.sleep(intervalMs);
    }
  }
}
