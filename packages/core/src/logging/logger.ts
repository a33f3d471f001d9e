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
 * Fields are appended as JSON. Control characters in the message and the fields (CR, LF, ESC,
 * DEL, C1, U+2028/U+2029) are written as `\uXXXX` escapes: text a client chose (a path, a
 * user agent) can neither start a forged line nor move a terminal's cursor.
 */
export function consoleLogger(options: { level?: LogLevel } = {}): Logger {
  const min = LEVELS.indexOf(options.level ?? 'info');
  const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVELS.indexOf(level) < min) return;
    const json = fields ? ` ${escapeControls(JSON.stringify(fields))}` : '';
    const line = `[portcullis] ${level}: ${escapeControls(String(message))}${json}`;
    (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

// C0, DEL, C1 and the Unicode line and paragraph separators: everything a terminal or a log
// shipper may take for a line break or a control sequence (CWE-117, log injection).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * `text` with every control character written as a `\uXXXX` escape, so that one log entry is
 * one line whatever it quotes. Idempotent on JSON output (which escapes C0 already).
 */
function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A logger that drops everything (tests, or applications that only want `onEvent`). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
