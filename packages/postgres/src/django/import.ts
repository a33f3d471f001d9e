import { Keyring } from '@portcullis/core/crypto';
import {
  createPasswordHasher,
  identifyHashFormat,
  type PasswordHasher,
} from '@portcullis/core/password';
import {
  FIRST_GENERATION,
  type JsonObject,
  type JsonValue,
  type TotpState,
  type UserRecord,
} from '@portcullis/core/storage';
import { TOTP_SECRET_KEY } from '@portcullis/core/two-factor';
import {
  normalizeEmail,
  normalizeUsername,
  parseUserFields,
  resolveUserFields,
  type UserFieldDefinitions,
} from '@portcullis/core/users';
import { type PostgresDatabase, toSqlClient } from '../client/detect.js';
import type { SqlClient } from '../client/types.js';
import { DEFAULT_SCHEMA } from '../schema-name.js';
import { type PostgresStorage, postgresStorage } from '../storage/index.js';
import { type DjangoColumnTarget, FORBIDDEN_KEYS, resolveColumnMap } from './column-map.js';
import { convertTotpDevice, type DjangoTotpDeviceRow, normalizeStaticToken } from './otp.js';

/** Keyring purpose under which core encrypts TOTP secrets (core's `TOTP_SECRET_KEY`). */

/** Options of {@link importDjango}. */
export interface ImportDjangoOptions {
  /** The Django database (a node-postgres `Pool`, PGlite, or a `SqlClient`). Only read. */
  readonly from: PostgresDatabase;
  /** The Portcullis database, already migrated (`portcullis-postgres migrate`). */
  readonly to: PostgresDatabase;
  /** Schema of the Portcullis tables. Default `'portcullis'`. */
  readonly schema?: string;
  /** Schema of the Django tables. Default `'public'`. */
  readonly fromSchema?: string;
  /** The user table: `auth_user` (default) or a custom user model's table. Its key is `id`. */
  readonly userTable?: string;
  /**
   * Column → target, over the defaults of `auth_user` (see `DjangoColumnMap`), for example
   * `{ "email_verified": "emailVerified", "bio": "metadata.bio" }`.
   */
  readonly columnMap?: Readonly<Record<string, string>>;
  /**
   * The app's own user fields, as given to `createAuth({ user: { fields } })`: columns mapped to
   * `fields.<name>` are checked by that field's schema (and must name a declared field); a user
   * whose value is refused is skipped (`field_invalid`, with the field). Without it, a
   * `fields.<name>` column is copied as `metadata.<name>` unchecked.
   */
  readonly fields?: UserFieldDefinitions;
  /**
   * The application's `secret` (current first when rotating), which encrypts TOTP secrets.
   * Needed only when confirmed django-otp TOTP devices are imported (not for a dry run).
   */
  readonly secret?: string | readonly string[];
  /**
   * Hashes the static tokens (short recovery codes: argon2id, as core stores them). Default:
   * `createPasswordHasher()` at core's default parameters, closed at the end.
   */
  readonly hasher?: PasswordHasher;
  /** Compute and return the report, write nothing. */
  readonly dryRun?: boolean;
  /** Users per batch; each batch is one transaction. Default 500. */
  readonly batchSize?: number;
  /** Prefix of the Portcullis ids: a Django user with primary key 42 becomes `django:42`. */
  readonly idPrefix?: string;
  /** Called after every batch. */
  readonly onProgress?: (progress: DjangoImportProgress) => void;
  /** Epoch milliseconds of `updatedAt` for new users. Default `Date.now`. */
  readonly now?: () => number;
}

/** Where an import is, after a batch. */
export interface DjangoImportProgress {
  /** Batches done. */
  readonly batch: number;
  /** Users read so far. */
  readonly processed: number;
  /** Users in the table. */
  readonly total: number;
}

/** A Django user that was not imported, and why. */
export interface DjangoSkippedUser {
  /** The Django primary key. */
  readonly djangoId: number | string;
  /**
   * `no_email`: no usable email (empty or invalid); `totp_unusable`: a confirmed TOTP device
   * whose key or parameters Portcullis cannot use (the user is not imported without it, so no
   * second factor is silently dropped; see `totpDevicesSkipped`).
   */
  readonly reason: 'no_email' | 'totp_unusable' | 'field_invalid';
  /** With `field_invalid`: the field whose schema refused the value. */
  readonly field?: string;
}

/** Django users that would share one normalized email or username; none of them is imported. */
export interface DjangoImportConflict {
  /** Which value collides. */
  readonly kind: 'email' | 'username';
  /** The normalized value. */
  readonly value: string;
  /** The Django primary keys that collide (two or more; or one, with `existingId`). */
  readonly djangoIds: readonly (number | string)[];
  /** A Portcullis user not from this import that already holds the value. */
  readonly existingId?: string;
}

/** What an import did (or, with `dryRun`, would do). */
export interface DjangoImportReport {
  /** True when nothing was written. */
  readonly dryRun: boolean;
  /** Users read from the Django table. */
  readonly total: number;
  /** Users created (with `dryRun`: that would be created). */
  readonly imported: number;
  /** Users already imported and identical to what the import would write: left alone. */
  readonly unchanged: number;
  /**
   * Users already imported whose Portcullis record differs from what the import would write
   * now (signed in since, so rehashed; or edited): left alone, never overwritten.
   */
  readonly diverged: readonly { djangoId: number | string; id: string }[];
  /** Users not imported (no usable email; an unusable TOTP device). */
  readonly skipped: readonly DjangoSkippedUser[];
  /** Collisions of normalized emails or usernames; none of the colliding users is imported. */
  readonly conflicts: readonly DjangoImportConflict[];
  /** Columns of the user table that the column map does not map (their data is not copied). */
  readonly unmappedColumns: readonly string[];
  /** Users imported without their username, which breaks core's username rules. */
  readonly usernamesDropped: readonly { djangoId: number | string; username: string }[];
  /** Imported users without a usable password: Django's unusable `!…`, empty or unknown formats. */
  readonly passwordsUnusable: readonly {
    djangoId: number | string;
    reason: 'unusable' | 'empty' | 'unsupported_format';
  }[];
  /** Confirmed TOTP devices imported. */
  readonly totpDevicesImported: number;
  /** TOTP devices not imported, and why (`unconfirmed`, `superseded` by a newer device, …). */
  readonly totpDevicesSkipped: readonly {
    djangoUserId: number | string;
    deviceId: number | string;
    reason: string;
  }[];
  /** Static tokens imported as recovery codes. */
  readonly staticTokensImported: number;
  /** Static tokens not imported, and why (`not_base32`, `no_totp`: the user has no TOTP). */
  readonly staticTokensSkipped: readonly {
    djangoUserId: number | string;
    tokenId: number | string;
    reason: 'not_base32' | 'no_totp' | 'unconfirmed';
  }[];
  /** False when the Django database has no django-otp tables (nothing of 2FA was read). */
  readonly otpTablesFound: boolean;
}

type Row = Record<string, JsonValue>;

interface StaticTokenRow {
  id: number;
  user_id: number;
  token: string;
  confirmed: boolean;
}

interface Planned {
  djangoId: number | string;
  record: UserRecord;
  /** Plain totp secret (Base32), to compare with an existing enrollment. */
  totpSecret?: string;
  codes: { id: string; code: string }[];
}

/** `"name"`, quoted for SQL (any name: the import only uses names it read from the catalog). */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Copies users from a Django database into Portcullis's tables: email (normalized as core
 * does), username, names, `is_active` → not disabled, `date_joined` → `createdAt`,
 * `last_login` → `lastLoginAt`, and the password hash verbatim (core verifies Django's
 * formats and rehashes to argon2id at the next sign-in). Confirmed django-otp TOTP devices
 * become TOTP enrolments (the key encrypted with `secret`), static tokens hashed recovery
 * codes. Users get the id `django:<pk>`; a user already there is compared and left alone
 * (`unchanged`, or `diverged`), so running the import again changes nothing. Colliding
 * emails or usernames import none of the users involved. One transaction per batch.
 *
 * @throws Error for a missing table, a bad column map, or confirmed TOTP devices without a
 * `secret` (before anything is written); driver errors as they are (the failing batch is
 * rolled back; earlier batches stay, and a rerun carries on).
 *
 * @example
 * ```ts
 * const report = await importDjango({ from: djangoPool, to: pool, secret: process.env.AUTH_SECRET });
 * ```
 */
export async function importDjango(options: ImportDjangoOptions): Promise<DjangoImportReport> {
  const from = toSqlClient(options.from);
  const storage = postgresStorage(options.to, { schema: options.schema ?? DEFAULT_SCHEMA });
  const fromSchema = options.fromSchema ?? 'public';
  const userTable = options.userTable ?? 'auth_user';
  const batchSize = options.batchSize ?? 500;
  const prefix = options.idPrefix ?? 'django:';
  const dryRun = options.dryRun === true;
  const now = options.now ?? Date.now;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new Error('batchSize must be a positive integer.');
  }

  const columns = await tableColumns(from, fromSchema, userTable);
  if (columns.length === 0)
    throw new Error(`No table ${fromSchema}.${userTable} in the Django database.`);
  if (!columns.includes('id')) throw new Error(`Table ${userTable} has no "id" column.`);
  const { map, unmapped } = resolveColumnMap(columns, options.columnMap);
  const fields = options.fields === undefined ? undefined : resolveUserFields(options.fields);
  for (const target of map.values()) {
    const name = target.startsWith('fields.') ? target.slice(7) : undefined;
    if (name !== undefined && fields !== undefined && !fields.some((f) => f.name === name)) {
      throw new Error(`Column map: "${name}" is not one of the declared user fields.`);
    }
  }
  const columnOf = (target: DjangoColumnTarget) => [...map].find(([, t]) => t === target)?.[0];
  const table = `${ident(fromSchema)}.${ident(userTable)}`;
  const otp = await otpTables(from, fromSchema);

  const secrets =
    options.secret === undefined
      ? []
      : typeof options.secret === 'string'
        ? [options.secret]
        : [...options.secret];
  if (
    !dryRun &&
    otp.totp &&
    secrets.length === 0 &&
    (await countConfirmedTotp(from, fromSchema)) > 0
  ) {
    throw new Error(
      'Confirmed TOTP devices need the application secret (--secret or AUTH_SECRET).',
    );
  }
  const keyring = secrets.length > 0 ? new Keyring(secrets) : undefined;

  // Pass 1: collisions of normalized emails and usernames, over the whole table.
  const emailColumn = columnOf('email') as string;
  const usernameColumn = columnOf('username');
  const { rows: keys } = await from.query<{
    id: number | string;
    e: string | null;
    u: string | null;
  }>(
    `SELECT id, ${ident(emailColumn)}::text AS e, ${
      usernameColumn === undefined ? 'NULL' : `${ident(usernameColumn)}::text`
    } AS u FROM ${table} ORDER BY id`,
  );
  const blocked = new Set<string>();
  const conflicts: DjangoImportConflict[] = [];
  const collect = (
    kind: 'email' | 'username',
    value: (r: (typeof keys)[number]) => string | undefined,
  ) => {
    const groups = new Map<string, (number | string)[]>();
    for (const r of keys) {
      const v = value(r);
      if (v !== undefined) groups.set(v, [...(groups.get(v) ?? []), r.id]);
    }
    for (const [v, ids] of groups) {
      if (ids.length < 2) continue;
      conflicts.push({ kind, value: v, djangoIds: ids });
      for (const id of ids) blocked.add(String(id));
    }
  };
  collect('email', (r) => normalizeEmail(r.e ?? '')?.emailNormalized);
  collect('username', (r) => normalizeUsername(r.u ?? '')?.usernameNormalized);

  const report = {
    imported: 0,
    unchanged: 0,
    diverged: [] as { djangoId: number | string; id: string }[],
    skipped: [] as DjangoSkippedUser[],
    usernamesDropped: [] as { djangoId: number | string; username: string }[],
    passwordsUnusable: [] as DjangoImportReport['passwordsUnusable'][number][],
    totpDevicesImported: 0,
    totpDevicesSkipped: [] as DjangoImportReport['totpDevicesSkipped'][number][],
    staticTokensImported: 0,
    staticTokensSkipped: [] as DjangoImportReport['staticTokensSkipped'][number][],
  };

  let ownHasher: PasswordHasher | undefined;
  const hasher = async () => {
    if (options.hasher) return options.hasher;
    ownHasher ??= await createPasswordHasher();
    return ownHasher;
  };

  try {
    let after: number | string | undefined;
    let processed = 0;
    let batch = 0;
    for (;;) {
      const { rows } = await from.query<{ j: string }>(
        `SELECT row_to_json(u)::text AS j FROM ${table} u
         ${after === undefined ? '' : 'WHERE id > $2'} ORDER BY id LIMIT $1`,
        after === undefined ? [batchSize] : [batchSize, after],
      );
      if (rows.length === 0) break;
      const users = rows.map((r) => JSON.parse(r.j) as Row);
      after = users[users.length - 1]?.id as number | string;
      const userIds = users.map((u) => u.id as number | string);
      const devices = otp.totp ? await totpDevices(from, fromSchema, userIds) : [];
      const tokens = otp.static ? await staticTokens(from, fromSchema, userIds) : [];

      const planned: Planned[] = [];
      for (const row of users) {
        const djangoId = row.id as number | string;
        if (blocked.has(String(djangoId))) continue;
        const plan = await planUser(row, djangoId);
        if (plan) planned.push(plan);
      }
      await write(planned);
      processed += users.length;
      batch += 1;
      options.onProgress?.({ batch, processed, total: keys.length });

      // Plans one user; undefined when it is skipped (and reported).
      async function planUser(row: Row, djangoId: number | string): Promise<Planned | undefined> {
        const value = (target: DjangoColumnTarget) => {
          const column = columnOf(target);
          return column === undefined ? undefined : row[column];
        };
        const email = normalizeEmail(text(value('email')) ?? '');
        if (email === undefined) {
          report.skipped.push({ djangoId, reason: 'no_email' });
          return undefined;
        }
        const rawUsername = text(value('username'));
        const username = rawUsername ? normalizeUsername(rawUsername) : undefined;
        if (rawUsername && username === undefined) {
          report.usernamesDropped.push({ djangoId, username: rawUsername });
        }

        // The user's confirmed TOTP device, the most recent (highest id) if several.
        const own = devices.filter((d) => String(d.user_id) === String(djangoId));
        let totp: { state: Omit<TotpState, 'encryptedSecret'>; secret: string } | undefined;
        const confirmed = own.filter((d) => d.confirmed).sort((a, b) => b.id - a.id);
        for (const d of own.filter((d) => !d.confirmed)) {
          report.totpDevicesSkipped.push({
            djangoUserId: djangoId,
            deviceId: d.id,
            reason: 'unconfirmed',
          });
        }
        for (const d of confirmed.slice(1)) {
          report.totpDevicesSkipped.push({
            djangoUserId: djangoId,
            deviceId: d.id,
            reason: 'superseded',
          });
        }
        const device = confirmed[0];
        if (device !== undefined) {
          const converted = convertTotpDevice(device);
          if ('reason' in converted) {
            report.totpDevicesSkipped.push({
              djangoUserId: djangoId,
              deviceId: device.id,
              reason: converted.reason,
            });
            report.skipped.push({ djangoId, reason: 'totp_unusable' });
            return undefined;
          }
          const { secret, ...params } = converted;
          totp = { state: { algorithm: 'sha1', ...params }, secret };
        }

        const codes: { id: string; code: string }[] = [];
        for (const t of tokens.filter((t) => String(t.user_id) === String(djangoId))) {
          const code = normalizeStaticToken(t.token);
          const reason = !t.confirmed
            ? 'unconfirmed'
            : totp === undefined
              ? 'no_totp'
              : code === undefined
                ? 'not_base32'
                : undefined;
          if (reason !== undefined || code === undefined) {
            report.staticTokensSkipped.push({
              djangoUserId: djangoId,
              tokenId: t.id,
              reason: reason ?? 'not_base32',
            });
          } else {
            codes.push({ id: `${prefix}static:${t.id}`, code });
          }
        }

        const rawHash = text(value('password')) ?? '';
        const format = rawHash === '' ? undefined : identifyHashFormat(rawHash);
        const passwordHash = format !== undefined && format !== 'unusable' ? rawHash : undefined;
        if (passwordHash === undefined) {
          report.passwordsUnusable.push({
            djangoId,
            reason:
              rawHash === '' ? 'empty' : format === 'unusable' ? 'unusable' : 'unsupported_format',
          });
        }

        const createdAt = time(value('createdAt')) ?? now();
        const verifiedFlag = value('emailVerified');
        const emailVerifiedAt =
          columnOf('emailVerifiedAt') !== undefined
            ? time(value('emailVerifiedAt'))
            : columnOf('emailVerified') !== undefined
              ? verifiedFlag === true
                ? createdAt
                : undefined
              : createdAt;
        const disabled =
          columnOf('disabled') !== undefined
            ? value('disabled') === true
            : columnOf('active') !== undefined
              ? value('active') === false
              : false;
        const metadata = Object.create(null) as JsonObject;
        for (const [column, target] of map) {
          if (target.startsWith('metadata.'))
            setPath(metadata, target.split('.').slice(1), row[column] ?? null);
        }
        for (const [column, target] of map) {
          if (!target.startsWith('fields.')) continue;
          const name = target.slice(7);
          const raw = row[column] ?? null;
          if (fields === undefined) {
            if (raw !== null) setPath(metadata, [name], raw as JsonValue);
            continue;
          }
          let values: Record<string, JsonValue | null>;
          try {
            values = parseUserFields(fields, { [name]: raw }, 'admin');
          } catch {
            report.skipped.push({ djangoId, reason: 'field_invalid', field: name });
            return undefined;
          }
          const checked = values[name];
          if (checked !== undefined && checked !== null) setPath(metadata, [name], checked);
        }
        const lastLoginAt = time(value('lastLoginAt'));
        const firstName = text(value('firstName'));
        const lastName = text(value('lastName'));
        const phone = text(value('phone'));
        const record: UserRecord = {
          id: `${prefix}${djangoId}`,
          ...email,
          ...(emailVerifiedAt === undefined ? {} : { emailVerifiedAt }),
          ...(username ?? {}),
          ...(passwordHash === undefined ? {} : { passwordHash }),
          ...(firstName ? { firstName } : {}),
          ...(lastName ? { lastName } : {}),
          ...(phone ? { phone } : {}),
          metadata,
          disabled,
          ...(totp === undefined ? {} : { totp: { ...totp.state, encryptedSecret: '' } }),
          ...(lastLoginAt === undefined ? {} : { lastLoginAt }),
          // The generation of every new user (core's FIRST_GENERATION): no credential change
          // has happened in Portcullis yet.
          credentialGeneration: FIRST_GENERATION,
          createdAt,
          updatedAt: now(),
        };
        return { djangoId, record, codes, ...(totp ? { totpSecret: totp.secret } : {}) };
      }
    }
  } finally {
    await ownHasher?.close();
  }

  return {
    dryRun,
    total: keys.length,
    ...report,
    conflicts,
    unmappedColumns: unmapped,
    otpTablesFound: otp.totp || otp.static,
  };

  // Compares, then creates the new users of one batch in one transaction.
  async function write(planned: Planned[]) {
    const fresh: Planned[] = [];
    for (const plan of planned) {
      const existing = await storage.users.getById(plan.record.id);
      if (existing === undefined) {
        const holder = await occupied(storage, plan.record);
        if (holder) {
          conflicts.push({ ...holder, djangoIds: [plan.djangoId] });
        } else {
          fresh.push(plan);
        }
      } else if (await same(existing, plan)) {
        report.unchanged += 1;
      } else {
        report.diverged.push({ djangoId: plan.djangoId, id: existing.id });
      }
    }
    if (dryRun) {
      for (const plan of fresh) count(plan);
      return;
    }
    // The slow part (argon2id, encryption) before the transaction, all of the batch at once.
    const ready = await Promise.all(
      fresh.map(async (plan) => {
        const totp = plan.record.totp;
        const record: UserRecord =
          totp && plan.totpSecret !== undefined && keyring
            ? {
                ...plan.record,
                totp: {
                  ...totp,
                  encryptedSecret: await keyring.encrypt(TOTP_SECRET_KEY, plan.totpSecret),
                },
              }
            : plan.record;
        const h = plan.codes.length > 0 ? await hasher() : undefined;
        const codes = await Promise.all(
          plan.codes.map(async (c) => ({
            id: c.id,
            hash: await (h as PasswordHasher).hash(c.code),
          })),
        );
        return { plan, record, codes };
      }),
    );
    await storage.transaction(async (tx) => {
      for (const { plan, record, codes } of ready) {
        if ((await tx.users.create(record)) === 'conflict') {
          // Taken between the check and now (a sign-up racing the import).
          const holder = await occupied(tx, record);
          conflicts.push({
            ...(holder ?? { kind: 'email', value: record.emailNormalized }),
            djangoIds: [plan.djangoId],
          });
          continue;
        }
        if (codes.length > 0) await tx.twoFactor.replaceRecoveryCodes(record.id, codes);
        count(plan);
      }
    });
  }

  function count(plan: Planned) {
    report.imported += 1;
    if (plan.record.totp) report.totpDevicesImported += 1;
    report.staticTokensImported += plan.codes.length;
  }

  // True when the stored user is what the import would write now. The credential generation
  // is Portcullis's own state (it changes with every credential change made there), not data
  // from Django, so it is left out like updatedAt.
  async function same(existing: UserRecord, plan: Planned): Promise<boolean> {
    const { updatedAt: _a, credentialGeneration: _g1, totp: t1, ...want } = plan.record;
    const { updatedAt: _b, credentialGeneration: _g2, totp: t2, ...have } = existing;
    if (canonical(want) !== canonical(have)) return false;
    if ((t1 === undefined) !== (t2 === undefined)) return false;
    if (t1 && t2) {
      const { encryptedSecret: _c, ...p1 } = t1;
      const { encryptedSecret, ...p2 } = t2;
      if (canonical(p1) !== canonical(p2)) return false;
      // Without the secret (a dry run) the parameters are all that can be compared.
      if (keyring) {
        const plain = await keyring
          .decrypt(TOTP_SECRET_KEY, encryptedSecret)
          .catch(() => undefined);
        if (plain !== plan.totpSecret) return false;
      }
    }
    const stored = await storage.twoFactor.listRecoveryCodes(existing.id);
    const ids = (list: { id: string }[]) =>
      list
        .map((c) => c.id)
        .sort()
        .join('\n');
    return ids(stored) === ids(plan.codes) && stored.every((c) => c.usedAt === undefined);
  }
}

/** The conflict a user would meet: another Portcullis user with its email or username. */
async function occupied(
  storage: Pick<PostgresStorage, 'users'>,
  record: UserRecord,
): Promise<{ kind: 'email' | 'username'; value: string; existingId: string } | undefined> {
  const byEmail = await storage.users.getByEmail(record.emailNormalized);
  if (byEmail && byEmail.id !== record.id) {
    return { kind: 'email', value: record.emailNormalized, existingId: byEmail.id };
  }
  if (record.usernameNormalized !== undefined) {
    const byName = await storage.users.getByUsername(record.usernameNormalized);
    if (byName && byName.id !== record.id) {
      return { kind: 'username', value: record.usernameNormalized, existingId: byName.id };
    }
  }
  return undefined;
}

/** JSON with sorted keys and no `undefined`, for comparisons. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function text(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Epoch ms of a timestamp as `row_to_json` writes it. `timestamptz` carries its offset;
 * a `timestamp` without one (Django with `USE_TZ = False`) is read as UTC.
 */
function time(value: JsonValue | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const zoned = /(?:Z|[+-]\d\d(?::?\d\d)?)$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Sets `value` at `path` inside `target`, making the objects on the way. Every key is an own
 * data property (`defineProperty`, objects without a prototype), so no path can write onto
 * `Object.prototype` even if a forbidden key got past `resolveColumnMap`.
 */
function setPath(target: JsonObject, path: string[], value: JsonValue) {
  if (path.some((key) => FORBIDDEN_KEYS.has(key))) {
    throw new Error(`Column map: forbidden metadata key in "${path.join('.')}".`);
  }
  const put = (node: Record<string, JsonValue>, key: string, v: JsonValue) =>
    Object.defineProperty(node, key, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  let node = target as Record<string, JsonValue>;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      put(node, key, Object.create(null) as JsonObject);
    }
    node = node[key] as Record<string, JsonValue>;
  }
  put(node, path[path.length - 1] as string, value);
}

async function tableColumns(db: SqlClient, schema: string, table: string): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `SELECT column_name::text FROM information_schema.columns
     WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return rows.map((r) => r.column_name);
}

/**
 * Which django-otp apps the database has: `otp_totp` (TOTP devices) and `otp_static` (static
 * tokens) are installed separately, so each is read when its own tables exist: a project with
 * TOTP but without static tokens must not lose its users' second factor.
 */
async function otpTables(
  db: SqlClient,
  schema: string,
): Promise<{ totp: boolean; static: boolean }> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = $1 AND table_name = ANY($2::text[])`,
    [schema, ['otp_totp_totpdevice', 'otp_static_staticdevice', 'otp_static_statictoken']],
  );
  const found = new Set(rows.map((r) => r.table_name));
  return {
    totp: found.has('otp_totp_totpdevice'),
    static: found.has('otp_static_staticdevice') && found.has('otp_static_statictoken'),
  };
}

async function countConfirmedTotp(db: SqlClient, schema: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${ident(schema)}.otp_totp_totpdevice WHERE confirmed`,
  );
  return rows[0]?.n ?? 0;
}

async function totpDevices(
  db: SqlClient,
  schema: string,
  userIds: readonly (number | string)[],
): Promise<(DjangoTotpDeviceRow & { confirmed: boolean })[]> {
  const { rows } = await db.query<{ j: string }>(
    `SELECT json_build_object('id', id, 'user_id', user_id, 'key', key, 'step', step, 't0', t0,
       'digits', digits, 'drift', drift, 'last_t', last_t, 'confirmed', confirmed)::text AS j
     FROM ${ident(schema)}.otp_totp_totpdevice WHERE user_id::text = ANY($1::text[]) ORDER BY id`,
    [userIds.map(String)],
  );
  return rows.map((r) => JSON.parse(r.j));
}

async function staticTokens(
  db: SqlClient,
  schema: string,
  userIds: readonly (number | string)[],
): Promise<StaticTokenRow[]> {
  const { rows } = await db.query<{ j: string }>(
    `SELECT json_build_object('id', t.id, 'user_id', d.user_id, 'token', t.token,
       'confirmed', d.confirmed)::text AS j
     FROM ${ident(schema)}.otp_static_statictoken t
     JOIN ${ident(schema)}.otp_static_staticdevice d ON d.id = t.device_id
     WHERE d.user_id::text = ANY($1::text[]) ORDER BY t.id`,
    [userIds.map(String)],
  );
  return rows.map((r) => JSON.parse(r.j));
}
