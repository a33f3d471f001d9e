/** Structured fields of a log line: ids, counts, names. Never a secret. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Where Portcullis writes what it does. Pass your application's logger (pino, winston …). */
export interface Logger {
  /** Detail useful while debugging. */
  debug(message: string, fields?: LogFields): void;
  /** Normal operation worth knowing (which password backend runs, …). */
  info(message: string, fields?: LogFields): void;
  /** Something is off but handled (a development secret, a failed mail). */
  warn(message: string, fields?: LogFields): void;
  /** A failure that needs attention. */
  error(message: string, fields?: LogFields): void;
}

/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * A logger that writes one line per entry to the console, from `level` up (default `'info'`).
 * Fields are appended as JSON.
 */
export function consoleLogger(options: { level?: LogLevel } = {}): Logger {
  const min = LEVELS.indexOf(options.level ?? 'info');
  const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVELS.indexOf(level) < min) return;
    const line = `[portcullis] ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`;
    (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that drops everything (tests, or applications that only want `onEvent`). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
