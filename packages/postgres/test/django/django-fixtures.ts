import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';

const here = new URL('.', import.meta.url);

/** Runs a fixture's DDL in `schema` (created first), in one transaction. */
export async function loadFixture(pool: Pool, schema: string, file: string): Promise<void> {
  const ddl = readFileSync(new URL(`fixtures/${file}`, here), 'utf8');
  await pool.query(
    `BEGIN; CREATE SCHEMA IF NOT EXISTS "${schema}"; SET LOCAL search_path TO "${schema}"; ${ddl}; COMMIT;`,
  );
}

/**
 * Django's hashes, made by Python's hashlib exactly as django/contrib/auth/hashers.py makes
 * them (PBKDF2PasswordHasher.encode and ScryptPasswordHasher.encode of Django 5):
 * `pbkdf2_sha256$<iterations>$<salt>$<b64 of 32 bytes>` and
 * `scrypt$<N>$<salt>$<r>$<p>$<b64 of 64 bytes>`.
 */
const PYTHON = `
import base64, hashlib, sys
kind, password, salt = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "pbkdf2_sha256":
    iterations = int(sys.argv[4])
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations, None)
    print("%s$%d$%s$%s" % ("pbkdf2_sha256", iterations, salt, base64.b64encode(key).decode("ascii").strip()))
else:
    n, r, p = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=128 * n * r * p * 2, dklen=64)
    print("%s$%d$%s$%d$%d$%s" % ("scrypt", n, salt, r, p, base64.b64encode(key).decode("ascii").strip()))
`;

/** A Django `pbkdf2_sha256` hash from Python's hashlib. */
export function pythonPbkdf2(password: string, salt: string, iterations: number): string {
  return execFileSync(
    'python3',
    ['-c', PYTHON, 'pbkdf2_sha256', password, salt, String(iterations)],
    {
      encoding: 'utf8',
    },
  ).trim();
}

/** A Django `scrypt` hash from Python's hashlib. */
export function pythonScrypt(
  password: string,
  salt: string,
  n: number,
  r: number,
  p: number,
): string {
  return execFileSync(
    'python3',
    ['-c', PYTHON, 'scrypt', password, salt, String(n), String(r), String(p)],
    { encoding: 'utf8' },
  ).trim();
}

interface Vector {
  format: string;
  password: string;
  stored: string;
}

/** The first vector of `format` among the core's legacy verifier vectors (independent tools). */
export function coreVector(format: string): Vector {
  const file = new URL('../../../core/test/password/fixtures/legacy-vectors.json', here);
  const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] };
  const found = vectors.find(
    (v) => v.format === format && v.password === 'correct horse battery staple',
  );
  if (found === undefined) throw new Error(`no ${format} vector`);
  return found;
}

/** The TOTP code of a hex key by `oathtool` (which reads hex keys), at `atMs`. */
export function oathtool(hexKey: string, atMs: number, digits = 6, stepSeconds = 30): string {
  const at = new Date(atMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return execFileSync(
    'oathtool',
    ['--totp', '-d', String(digits), '-s', `${stepSeconds}s`, '-N', at, hexKey],
    { encoding: 'utf8' },
  ).trim();
}
