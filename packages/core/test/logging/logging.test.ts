/**
 * Issue 15, OWASP ASVS 16.4.1 and 16.3.4: what Portcullis logs is one line per entry whatever
 * text a client or a driver put into it, a server failure is logged once with its cause, and a
 * failing listener or audit write is logged without failing the request.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import { consoleLogger, type Logger, memoryStorage } from '../../src/index.js';
import type { Storage } from '../../src/storage/index.js';
import { verifiedUser } from '../events/helpers.js';
import { CTX, PASSWORD, setup } from '../flows/helpers.js';

// Everything a terminal or a log shipper may take for a line break or a control sequence.
const BREAKERS = ['\r', '\n', '\u0085', '\u2028', '\u2029', '\u001b[2J', '\u007f'];
const FORGED = `x${BREAKERS.join('')}[portcullis] error: forged`;

/** Console lines written by `consoleLogger`, each as the single string it was given. */
function captureConsole(): string[] {
  const lines: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  return lines;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const BREAKER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const hasBreaker = (line: string) => BREAKER.test(line);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('consoleLogger: one entry is one line', () => {
  it('escapes CR, LF and other control characters in the message', () => {
    const lines = captureConsole();
    consoleLogger().warn(`path ${FORGED}`);
    expect(lines).toHaveLength(1);
    expect(lines.some(hasBreaker)).toBe(false);
    expect(lines[0]).toContain('\\u000d\\u000a');
  });

  it('escapes the separators JSON leaves raw (U+2028, U+2029, C1, DEL) in the fields', () => {
    const lines = captureConsole();
    consoleLogger().error('request failed', { userAgent: FORGED, path: '/a\u2028b' });
    expect(lines).toHaveLength(1);
    expect(lines.some(hasBreaker)).toBe(false);
    expect(lines[0]).toContain('\\u2028');
    expect(lines[0]).toContain('\\u0085');
  });
});

/** A storage whose users store fails like a driver that echoes the value it was given. */
function echoingStorage(): Storage {
  const inner = memoryStorage();
  return {
    ...inner,
    users: {
      ...inner.users,
      getByEmail: async (email: string) => {
        throw new Error(`invalid input syntax for type citext: "${email}"`);
      },
    },
  } as Storage;
}

describe('a server failure through the HTTP handler', () => {
  it('is logged once, with its cause, on one line, whatever the client sent', async () => {
    const lines = captureConsole();
    const s = await setup({ storage: echoingStorage(), logger: consoleLogger() });
    const handler = createHttpHandler(s.auth);
    const identifier = `ada\u2028[portcullis] error: forged\u0085@example.com`;
    const res = await handler(
      new Request('https://app.example.com/api/auth/login', {
        method: 'POST',
        headers: {
          origin: 'https://app.example.com',
          'content-type': 'application/json',
          'user-agent': 'curl/8 \u0085 [portcullis] error: forged',
        },
        body: JSON.stringify({ identifier, password: PASSWORD }),
      }),
      { remoteAddress: CTX.ip },
    );
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('citext');
    const errors = lines.filter((l) => l.includes('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('request failed');
    expect(errors[0]).toContain('STORAGE_UNAVAILABLE');
    expect(errors[0]).toContain('invalid input syntax for type citext');
    expect(lines.some(hasBreaker)).toBe(false);
  });
});

/** A logger that keeps each entry as `level message fields`. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: object): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  return {
    lines,
    logger: { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('a failing listener or audit write', () => {
  it('a listener that throws: the sign-in succeeds, one error line with the cause', async () => {
    const { logger, lines } = recordingLogger();
    const s = await setup({
      logger,
      onEvent: (event) => {
        if (event.type === 'login.succeeded') {
          throw new Error('SIEM unreachable', { cause: new Error('socket hang up') });
        }
      },
    });
    await verifiedUser(s, 'ada@example.com');
    const result = await s.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    expect(result.status).toBe('signed_in');
    const errors = lines.filter((l) => l.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('event listener failed');
    expect(errors[0]).toContain('login.succeeded');
    expect(errors[0]).toContain('socket hang up');
    expect(errors.join('\n')).not.toContain(PASSWORD);
  });

  it('an audit store whose append rejects: the sign-in succeeds, one error line with the driver cause', async () => {
    const { logger, lines } = recordingLogger();
    const inner = memoryStorage();
    const storage = {
      ...inner,
      audit: {
        ...inner.audit,
        append: async (record: Parameters<typeof inner.audit.append>[0]) => {
          if (record.type === 'login.succeeded') throw new Error('ECONNRESET audit-db:5432');
          return inner.audit.append(record);
        },
      },
    } as Storage;
    const s = await setup({ storage, logger });
    await verifiedUser(s, 'ada@example.com');
    const result = await s.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    expect(result.status).toBe('signed_in');
    // The listeners still got the event.
    expect(s.events.map((e) => e.type)).toContain('login.succeeded');
    const errors = lines.filter((l) => l.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('audit append failed');
    expect(errors[0]).toContain('ECONNRESET audit-db:5432');
  });
});
