import type { JsonObject } from './json.js';

/** A security event to append, as core writes it. Never holds a secret. */
export interface NewAuditEvent {
  /** The user the event is about. */
  readonly userId: string;
  /** Event type, e.g. `login.succeeded`, `password.changed`, `refresh.reuse_detected`. */
  readonly type: string;
  /** When it happened, epoch ms. */
  readonly createdAt: number;
  /** Client IP, as core resolved it. */
  readonly ip?: string;
  /** Client User-Agent. */
  readonly userAgent?: string;
  /** The session involved, by id. */
  readonly sessionId?: string;
  /** Event details (ids, reasons); never a token, code, hash or password. */
  readonly data?: JsonObject;
}

/** A stored audit event: the appended event plus its store-assigned sequence number. */
export interface AuditEventRecord extends NewAuditEvent {
  /** Assigned by the store on append; greater than every sequence appended before it. */
  readonly sequence: number;
}

/** Options of {@link AuditStore.list}. */
export interface AuditListOptions {
  /** Most events to return. */
  readonly limit: number;
  /** Only events with a smaller sequence (exclusive): the last sequence of the previous page. */
  readonly beforeSequence?: number;
}

/** Options of {@link AuditStore.listAll}: every user's events, for administrators. */
export interface AuditListAllOptions extends AuditListOptions {
  /** Only events of this type (`login.failed`, `admin.action`). */
  readonly type?: string;
}

/** Append-only security events per user. */
export interface AuditStore {
  /**
   * Appends an event and resolves to its sequence number, which the store assigns: greater
   * than that of every event appended before it (concurrent appends get distinct numbers).
   */
  append(event: NewAuditEvent): Promise<number>;
  /** The user's events newest first (by sequence), at most `limit`, before `beforeSequence`. */
  list(userId: string, options: AuditListOptions): Promise<AuditEventRecord[]>;
  /**
   * Every user's events newest first (by sequence), at most `limit`, before `beforeSequence`,
   * of `type` when given (`GET /admin/audit`). PostgreSQL keeps it to index scans.
   */
  listAll(options: AuditListAllOptions): Promise<AuditEventRecord[]>;
  /** Deletes the user's events (account deletion). */
  deleteByUser(userId: string): Promise<void>;
}
