/**
 * Password hashing with scrypt from node:crypto (Percival 2009, "Stronger key derivation via
 * sequential memory-hard functions"; RFC 7914).
 *
 * Parameters: N = 2^15, r = 8, p = 3, 16-byte random salt, 32-byte key — one of the equal-strength
 * settings the OWASP Password Storage Cheat Sheet lists for scrypt (N=2^17,r=8,p=1 ≡ N=2^15,r=8,p=3):
 * 32 MiB of memory per hash instead of 128 MiB, ≈ 0.4 s on one core of the development machine.
 * Stored as "scrypt$N$r$p$salt$hash" (salt and hash base64url), so the parameters can be raised
 * later: `needsRehash` tells the sign-in route to re-hash with the current ones. Comparison is
 * constant-time (timingSafeEqual). At most MAX_CONCURRENT_HASHES run at once, so a burst of
 * sign-ins cannot take every libuv thread and all the memory.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds accepted when reading a stored hash (a corrupt row must not make us allocate gigabytes). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_CONCURRENT_HASHES = 2;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export class PasswordHashError extends Error {}

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

let running = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, keyLength: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // Node checks 128·N·r against maxmem; leave headroom above the largest accepted setting.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return withSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, KEY_BYTES, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

function positiveInt(text: string | undefined, max: number): number | null {
  if (text === undefined || !/^\d{1,8}$/.test(text)) return null;
  const v = Number(text);
  return v >= 1 && v <= max ? v : null;
}

export function parsePasswordHash(stored: string): Parsed {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new PasswordHashError('not a "scrypt$N$r$p$salt$hash" string');
  const N = positiveInt(parts[1], MAX_N);
  const r = positiveInt(parts[2], MAX_R);
  const p = positiveInt(parts[3], MAX_P);
  if (N === null || N < 2 || (N & (N - 1)) !== 0) throw new PasswordHashError('N must be a power of two ≤ 2^20');
  if (r === null || p === null) throw new PasswordHashError('r or p out of range');
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const hash = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || hash.length < 16) throw new PasswordHashError('salt or hash too short');
  return { N, r, p, salt, hash };
}

/** True when `password` matches `stored`; constant-time in the hash comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

/** True when `stored` was made with other parameters than the current ones. */
export function needsRehash(stored: string): boolean {
  const { N, r, p } = parsePasswordHash(stored);
  return N !== SCRYPT_PARAMS.N || r !== SCRYPT_PARAMS.r || p !== SCRYPT_PARAMS.p;
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as a real verification when the email is unknown, so that response times
 * do not tell which accounts exist. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummy);
  return false;
}
