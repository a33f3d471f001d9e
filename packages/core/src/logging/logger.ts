/** Structured fields of a log line: ids, counts, names. Never a secret. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Where Portcullis writes what it does. Pass your application's logger (pino, winston …). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** Log levels, most verbose first. */
export type LogLevel = (typeof LEVELS)[number];

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
