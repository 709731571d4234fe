import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, parsePasswordHash, PasswordHashError, SCRYPT_PARAMS, verifyAgainstDummy, verifyPassword } from './password';

describe('scrypt password hashing', () => {
  it('stores "scrypt$N$r$p$salt$hash" with the stated parameters and a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    const parsed = parsePasswordHash(a);
    expect([parsed.N, parsed.r, parsed.p]).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.hash).toHaveLength(32);
    expect(needsRehash(a)).toBe(false);
  });

  it('verifies the right password and refuses wrong ones (one character off, empty, Unicode-normalised equal)', async () => {
    const stored = await hashPassword('Pässwort-123');
    expect(await verifyPassword('Pässwort-123', stored)).toBe(true);
    expect(await verifyPassword('Pässwort-124', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
    // NFKC: the decomposed "a" + combining diaeresis is the same password.
    expect(await verifyPassword('Pa\u0308sswort-123', stored)).toBe(true);
  });

  it('verifies hashes made with older, cheaper parameters and says they need a rehash', async () => {
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.alloc(16, 1);
    const key = scryptSync('old password', salt, 32, { N: 1024, r: 8, p: 1 });
    const old = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('old password', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it('refuses malformed or resource-exhausting stored hashes instead of running them', () => {
    for (const bad of ['', 'bcrypt$x', 'scrypt$1000$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAA', `scrypt$${2 ** 24}$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAA`, 'scrypt$1024$999$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(() => parsePasswordHash(bad)).toThrow(PasswordHashError);
    }
  });

  it('the unknown-account path takes a real verification and answers false', async () => {
    const t0 = performance.now();
    expect(await verifyAgainstDummy('whatever')).toBe(false);
    const t1 = performance.now();
    const stored = await hashPassword('x'.repeat(12));
    const t2 = performance.now();
    await verifyPassword('y'.repeat(12), stored);
    const t3 = performance.now();
    // Same order of magnitude as a real verification (the first call also hashed the dummy).
    expect(t1 - t0).toBeGreaterThan((t3 - t2) * 0.5);
  });
});
