import { AUTH_ERROR_MESSAGES, AUTH_ERROR_STATUS, type AuthErrorCode } from '@portcullis/core';
import type { ErrorRequestHandler, Response } from 'express';

/** One problem with one field, as in the auth API's `VALIDATION_FAILED` details. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * Answers with the same error body as the auth API (`{"error": {"code", "message", "details"?}}`)
 * and the status the contract gives the code, so clients handle one error shape everywhere.
 */
export function sendError(res: Response, code: AuthErrorCode, details?: FieldProblem[]): void {
  res.status(AUTH_ERROR_STATUS[code]).json({
    error: {
      code,
      message: AUTH_ERROR_MESSAGES[code],
      ...(details === undefined ? {} : { details }),
    },
  });
}

/** A failure of the note store (the database is down): answered 503 `STORAGE_UNAVAILABLE`. */
export class NotesUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The note store failed.', { cause });
    this.name = 'NotesUnavailableError';
  }
}

/**
 * The last error handler: body-parser failures get the contract's 400 / 413 / 415, a failing
 * note store 503, anything else a 500 without details (the cause goes to the log, never to the
 * client).
 */
export function errorHandler(log: (message: string) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof NotesUnavailableError) {
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
      log(`note store unavailable: ${cause}`);
      return sendError(res, 'STORAGE_UNAVAILABLE');
    }
    const status = (error as { status?: unknown } | null)?.status;
    if (status === 413) return sendError(res, 'PAYLOAD_TOO_LARGE');
    if (status === 415) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE');
    if (status === 400) return sendError(res, 'BAD_REQUEST');
    log(
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    sendError(res, 'INTERNAL');
  };
}
