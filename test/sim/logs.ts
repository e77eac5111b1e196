/**
 * CloudWatch Logs: log groups of streams of events, GetLogEvents with AWS's token semantics
 * (nextForwardToken comes back unchanged at the end of the stream; a forward token is only honoured with
 * startFromHead=true, otherwise the newest page is returned — a client that forgets it sees lines twice),
 * ResourceNotFoundException until a stream exists, and FilterLogEvents over one group.
 */
import { type JsonObject, SimError, str } from './common.ts';

export interface LogEvent {
  timestamp: number;
  ingestionTime: number;
  message: string;
}

const TOKEN_DIGITS = 56;

function token(direction: 'f' | 'b', index: number): string {
  return `${direction}/${String(index).padStart(TOKEN_DIGITS, '0')}`;
}

function parseToken(value: string): { direction: 'f' | 'b'; index: number } {
  const match = /^([fb])\/(\d+)$/.exec(value);
  if (!match) throw new SimError('InvalidParameterException', 'The specified nextToken is invalid.');
  return { direction: match[1] as 'f' | 'b', index: Number(match[2]) };
}

export class LogsSim {
  readonly groups = new Map<string, Map<string, LogEvent[]>>();

  constructor(
    private readonly now: () => number,
    /** The most events one GetLogEvents page returns (AWS: 10,000; small here so paging is exercised). */
    private readonly pageSize: number,
  ) {}

  createStream(group: string, stream: string): void {
    let streams = this.groups.get(group);
    if (!streams) {
      streams = new Map();
      this.groups.set(group, streams);
    }
    if (!streams.has(stream)) streams.set(stream, []);
  }

  hasStream(group: string, stream: string): boolean {
    return this.groups.get(group)?.has(stream) ?? false;
  }

  /** Append lines (the stream must exist). */
  put(group: string, stream: string, lines: readonly string[], at = this.now()): void {
    this.createStream(group, stream);
    const events = this.groups.get(group)!.get(stream)!;
    for (const message of lines) events.push({ timestamp: at, ingestionTime: this.now(), message });
  }

  /** Every message in a stream (for tests). */
  lines(group: string, stream: string): string[] {
    return (this.groups.get(group)?.get(stream) ?? []).map((e) => e.message);
  }

  getLogEvents(input: JsonObject): JsonObject {
    const group = str(input, 'logGroupName') ?? str(input, 'logGroupIdentifier');
    const stream = str(input, 'logStreamName');
    if (!group || !stream)
      throw new SimError('InvalidParameterException', 'logGroupName and logStreamName are required');
    const streams = this.groups.get(group);
    if (!streams) throw new SimError('ResourceNotFoundException', 'The specified log group does not exist.');
    const events = streams.get(stream);
    if (!events) throw new SimError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const limit = Math.min(typeof input.limit === 'number' ? input.limit : this.pageSize, this.pageSize);
    const fromHead = input.startFromHead === true;
    const next = str(input, 'nextToken');
    let start: number;
    let end: number;
    const parsed = next ? parseToken(next) : undefined;
    if (parsed && fromHead && parsed.direction === 'f') {
      start = Math.min(parsed.index, events.length);
      end = Math.min(start + limit, events.length);
    } else if (parsed && parsed.direction === 'b') {
      end = Math.min(parsed.index, events.length);
      start = Math.max(0, end - limit);
    } else if (fromHead) {
      start = 0;
      end = Math.min(limit, events.length);
    } else {
      end = events.length;
      start = Math.max(0, end - limit);
    }
    return {
      events: events.slice(start, end).map((e) => ({
        timestamp: e.timestamp,
        ingestionTime: e.ingestionTime,
        message: e.message,
      })),
      nextForwardToken: token('f', end),
      nextBackwardToken: token('b', start),
    };
  }

  filterLogEvents(input: JsonObject): JsonObject {
    const group = str(input, 'logGroupName');
    if (!group) throw new SimError('InvalidParameterException', 'logGroupName is required');
    const streams = this.groups.get(group);
    if (!streams) throw new SimError('ResourceNotFoundException', 'The specified log group does not exist.');
    const names = Array.isArray(input.logStreamNames)
      ? (input.logStreamNames as string[])
      : [...streams.keys()];
    const prefix = str(input, 'logStreamNamePrefix');
    const events: JsonObject[] = [];
    for (const name of names) {
      if (prefix && !name.startsWith(prefix)) continue;
      for (const [i, e] of (streams.get(name) ?? []).entries()) {
        events.push({
          logStreamName: name,
          timestamp: e.timestamp,
          ingestionTime: e.ingestionTime,
          message: e.message,
          eventId: `${name}-${i}`,
        });
      }
    }
    events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
    return {
      events,
      searchedLogStreams: names.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
    };
  }
}
