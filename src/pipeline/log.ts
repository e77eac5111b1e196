/** Log implementations that need nothing but a stream: the CLI's (stderr) and a recording one. */
import type { Log } from '../core/ports.ts';

/** Human progress on a stream (stderr for the CLI, so stdout stays the JSON document). */
export function streamLog(write: (text: string) => void = (t) => process.stderr.write(t)): Log {
  return {
    info: (m) => write(`${m}\n`),
    warn: (m) => write(`warning: ${m}\n`),
    error: (m) => write(`error: ${m}\n`),
    async group(title, fn) {
      write(`── ${title}\n`);
      try {
        return await fn();
      } finally {
        write(`── end ${title}\n`);
      }
    },
  };
}

/** Keeps every line (with its level) in memory: for tests and for composing summaries. */
export interface MemoryLog extends Log {
  lines: { level: 'info' | 'warn' | 'error' | 'group'; message: string }[];
  text(): string;
}

export function memoryLog(): MemoryLog {
  const lines: MemoryLog['lines'] = [];
  return {
    lines,
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
    async group(title, fn) {
      lines.push({ level: 'group', message: title });
      return fn();
    },
    text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
  };
}
