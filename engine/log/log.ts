// The engine's log: entries go to a sink (the host prints or writes them) and a bounded ring of
// recent entries (for `memcloud logs` and the VS Code output channel). Never pass secrets here:
// identities are logged by name and fingerprint only. Every message is one line: control and format
// characters (which a peer's text may carry) are shown as escapes, so no entry can forge another.

import type { LogEntry } from '../api/types';
import { displayText } from '../text/display-text';

export type LogLevel = LogEntry['level'];
export type LogSink = (entry: LogEntry) => void;

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export class Logger {
  private readonly ring: LogEntry[] = [];
  private readonly sinks = new Set<LogSink>();

  constructor(
    private readonly minLevel: LogLevel = 'info',
    private readonly capacity = 1000,
  ) {}

  addSink(sink: LogSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  debug(message: string): void {
    this.log('debug', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  warn(message: string): void {
    this.log('warn', message);
  }
  error(message: string): void {
    this.log('error', message);
  }

  log(level: LogLevel, message: string): void {
    if (order[level] < order[this.minLevel]) return;
    const entry: LogEntry = { at: Date.now(), level, message: displayText(message, 'log') };
    this.ring.push(entry);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const sink of this.sinks) sink(entry);
  }

  recent(lines = 100): LogEntry[] {
    return this.ring.slice(-Math.max(0, lines));
  }
}

export function formatLogEntry(e: LogEntry): string {
  return `${new Date(e.at).toISOString()} ${e.level.toUpperCase().padEnd(5)} ${displayText(e.message, 'log')}`;
}
