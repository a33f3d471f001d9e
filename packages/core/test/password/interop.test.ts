import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argon2id, bcrypt } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineKdf } from '../../src/password/kdf.js';
import { identifyHashFormat, verifyLegacyHash } from '../../src/password/legacy/index.js';

// Both directions against independent implementations, run at test time. CI installs the
// tools; a missing one fails the suite with the package to install, it is never skipped.
const DEBIAN_PACKAGE: Record<string, string> = {
  argon2: 'argon2',
  htpasswd: 'apache2-utils',
  python3: 'python3',
};

function run(command: string, args: readonly string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          const pkg = DEBIAN_PACKAGE[command] ?? command;
          return reject(
            new Error(
              `\`${command}\` is not installed: apt-get install ${pkg} (Debian package ${pkg})`,
            ),
          );
        }
        reject(new Error(`\`${command}\` failed: ${stderr.trim()}`, { cause: error }));
      },
    );
    // An exited child (e.g. not found) closes stdin; that error is reported above.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input, 'utf8');
  });
}

/** A random password with ASCII, Latin-1 and astral characters, never `:` or NUL. */
function randomPassword(): string {
  return `${randomBytes(12).toString('base64url')} ä€☃😀 ${randomBytes(4).toString('hex')}`;
}

describe('argon2id: hash-wasm and the reference `argon2` CLI write the same PHC string', () => {
  it.each([1, 2, 3])('random password and salt, OWASP m=19456 t=2 p=1 (run %i)', async () => {
    const password = randomPassword();
    const salt = randomBytes(12).toString('base64url'); // 16 printable characters
    const ours = await argon2id({
      password,
      salt,
      iterations: 2,
      memorySize: 19456,
      parallelism: 1,
      hashLength: 32,
      outputType: 'encoded',
    });
    const args = [salt, '-id', '-t', '2', '-k', '19456', '-p', '1', '-l', '32', '-e'];
    const reference = (await run('argon2', args, password)).trim();
    expect(reference).toBe(ours);
    expect(identifyHashFormat(reference)).toBe('argon2id');
    expect(await verifyLegacyHash(password, reference, inlineKdf)).toBe(true);
    expect(await verifyLegacyHash(`${password}x`, reference, inlineKdf)).toBe(false);
  });

  it('an argon2i string from the CLI verifies', async () => {
    const password = randomPassword();
    const salt = randomBytes(12).toString('base64url');
    const phc = (await run('argon2', [salt, '-i', '-t', '3', '-k', '256', '-e'], password)).trim();
    expect(identifyHashFormat(phc)).toBe('argon2i');
    expect(await verifyLegacyHash(password, phc, inlineKdf)).toBe(true);
    expect(await verifyLegacyHash(password.toUpperCase(), phc, inlineKdf)).toBe(false);
  });
});

describe('bcrypt: htpasswd and hash-wasm agree', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-interop-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a $2y$ hash made by `htpasswd -nbB` now verifies, and a wrong password does not', async () => {
    const password = randomPassword();
    const line = await run('htpasswd', ['-nbB', '-C', '5', 'user', password]);
    const hash = line.trim().slice('user:'.length);
    expect(hash).toMatch(/^\$2y\$05\$/);
    expect(await verifyLegacyHash(password, hash, inlineKdf)).toBe(true);
    expect(await verifyLegacyHash(password.slice(0, -1), hash, inlineKdf)).toBe(false);
    expect(await verifyLegacyHash(password.normalize('NFD'), hash, inlineKdf)).toBe(false);
  });

  it('a $2b$ hash made by hash-wasm verifies with `htpasswd -v`', async () => {
    const password = randomPassword();
    const hash = await bcrypt({ password, salt: randomBytes(16), costFactor: 5 });
    const file = join(dir, 'htpasswd');
    await writeFile(file, `user:${hash}\n`);
    await expect(run('htpasswd', ['-vb', file, 'user', password])).resolves.toBeDefined();
    await expect(run('htpasswd', ['-vb', file, 'user', `${password}!`])).rejects.toThrow(
      /htpasswd` failed/,
    );
  });
});

// Django's hashers.py, reduced to its hashlib calls; reads {password, salt} as JSON on stdin.
const DJANGO_HASHES = `
import base64, hashlib, json, sys
d = json.loads(sys.stdin.buffer.read().decode("utf-8"))
pw, salt = d["password"].encode(), d["salt"]
b64 = lambda key: base64.b64encode(key).decode("ascii").strip()
for digest in ("sha256", "sha1"):
    print("pbkdf2_%s$%d$%s$%s" % (digest, 3000, salt, b64(hashlib.pbkdf2_hmac(digest, pw, salt.encode(), 3000))))
key = hashlib.scrypt(pw, salt=salt.encode(), n=2**14, r=8, p=5, maxmem=0, dklen=64)
print("scrypt$%d$%s$%d$%d$%s" % (2**14, salt, 8, 5, b64(key)))
`;

describe('Django PBKDF2 and scrypt strings made by Python hashlib at test time', () => {
  it('all verify, and a wrong password does not', async () => {
    const password = randomPassword();
    const salt = randomBytes(16).toString('base64url').replace(/[-_]/g, 'x'); // Django-style
    const output = await run('python3', ['-c', DJANGO_HASHES], JSON.stringify({ password, salt }));
    const lines = output.trim().split('\n');
    expect(lines.map((line) => identifyHashFormat(line))).toEqual([
      'django_pbkdf2_sha256',
      'django_pbkdf2_sha1',
      'django_scrypt',
    ]);
    for (const stored of lines) {
      expect(await verifyLegacyHash(password, stored, inlineKdf)).toBe(true);
      expect(await verifyLegacyHash(password.normalize('NFD'), stored, inlineKdf)).toBe(false);
    }
  });
});
