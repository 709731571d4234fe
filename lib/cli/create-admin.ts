/**
 * `gazebench create-admin`: create the first admin account, or make an existing account an admin
 * (issue 7, "Accounts and access").
 *
 *   gazebench create-admin --email <email> [--name <name>] [--password-stdin]
 *
 * The database is the one `npm start` uses (DATABASE_URL, else the embedded PostgreSQL of DATA_DIR,
 * shared with a running server or started for the command and stopped after it).
 * With --password-stdin the password is read from standard input (e.g. `… --password-stdin <
 * file`, or typed then Ctrl-D); otherwise a random password is generated and printed once. An
 * existing account keeps its password unless --password-stdin is given (which also signs it out
 * everywhere). Exit codes: 0 done, 2 bad input (one line on stderr, nothing changed).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createUser, findUserByEmail, setUserPassword, setUserRole } from '../../db/queries/auth';
import { SignUpBody } from '../api/auth';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password';
import { loadConfig } from '../config';
import { bootDatabase } from '../server/boot';
import { UsageError } from './main';

const HELP = `Usage: gazebench create-admin --email <email> [--name <name>] [--password-stdin]
  --email <email>     the admin's email (an existing account is promoted to admin)
  --name <name>       display name (new accounts only)
  --password-stdin    read the password from standard input instead of generating one
Uses DATABASE_URL, else the embedded database under DATA_DIR (default .data; the server may be running).
Exit codes: 0 done, 2 bad input (one line on stderr, nothing changed).`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buf.length;
    if (total > 64 * 1024) throw new UsageError('--password-stdin: standard input is too long for a password');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function checkPassword(password: string): string {
  if (password.length < PASSWORD_MIN_LENGTH) throw new UsageError(`--password-stdin: the password needs at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) throw new UsageError(`--password-stdin: the password has more than ${PASSWORD_MAX_LENGTH} characters`);
  return password;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: { email: { type: 'string' }, name: { type: 'string', default: '' }, 'password-stdin': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.email === undefined || values.email === '') throw new UsageError('--email is required (see --help)');
  const email = SignUpBody.shape.email.safeParse(values.email.trim());
  if (!email.success) throw new UsageError(`--email: '${values.email}' is not an email address`);
  const name = values.name.trim().slice(0, 100);
  const given = values['password-stdin'] ? checkPassword(await readStdin()) : undefined;

  const config = loadConfig();
  const log = (line: string) => process.stderr.write(`create-admin: ${line}\n`);
  const handle = await bootDatabase(config, { root, seed: false, log });
  try {
    const address = email.data.toLowerCase();
    const existing = await findUserByEmail(handle.db, address);
    if (existing) {
      await handle.db.transaction(async (tx) => {
        await setUserRole(tx, existing.id, 'admin');
        if (given !== undefined) await setUserPassword(tx, existing.id, await hashPassword(given));
      });
      process.stdout.write(`${address} is now an admin${given !== undefined ? ' (password changed)' : ''}\n`);
      return 0;
    }
    const password = given ?? randomBytes(18).toString('base64url');
    const user = await createUser(handle.db, { email: address, name, passwordHash: await hashPassword(password), role: 'admin' });
    if (!user) throw new Error('create-admin: the account appeared while it was being created; run the command again');
    process.stdout.write(`admin ${address} created\n`);
    if (given === undefined) process.stdout.write(`password (shown once): ${password}\n`);
    return 0;
  } finally {
    await handle.close();
  }
}
