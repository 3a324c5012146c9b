/** An AppLog that keeps every line, for tests and the stand-in UI server. */
import type { AppLog } from '../../app/deps';

export interface LogLine {
  level: 'info' | 'warn';
  message: string;
  data?: Record<string, unknown>;
}

export class MemoryLog implements AppLog {
  readonly lines: LogLine[] = [];

  info(message: string, data?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, ...(data ? { data } : {}) });
  }

  warn(message: string, data?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, ...(data ? { data } : {}) });
  }
}
