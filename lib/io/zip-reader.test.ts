import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uploadLimits } from '@/lib/limits';
import { extractZip, RATIO_FLOOR_BYTES, unsafeEntryName, ZipError, type ZipLimits } from './zip-reader';
import { makeZip, type ZipEntrySpec } from './zip-writer.test-util';

const LIMITS: ZipLimits = { maxEntries: 50, maxEntryBytes: 4 * 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024, maxRatio: 100 };

let dir: string;
let out: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-test-'));
  out = path.join(dir, 'out');
  fs.mkdirSync(out);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(entries: ZipEntrySpec[]): string {
  const file = path.join(dir, 'upload.zip');
  fs.writeFileSync(file, makeZip(entries));
  return file;
}

async function rejection(p: Promise<unknown>): Promise<ZipError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZipError);
  return err as ZipError;
}

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

describe('extractZip', () => {
  it('extracts entries to numbered files with their sizes and hashes, skipping folders and filtered names', async () => {
    const zip = write([
      { name: 'a/', data: new Uint8Array(0), method: 'store' },
      { name: 'a/cat_1.png', data: bytes(1000, 1) },
      { name: 'dog_2.png', data: bytes(10, 2), method: 'store' },
      { name: '__MACOSX/._dog_2.png', data: bytes(5) },
    ]);
    const got = await extractZip(zip, out, LIMITS, (n) => !n.startsWith('__MACOSX/'));
    expect(got.map((e) => [e.name, e.bytes, path.basename(e.path)])).toEqual([
      ['a/cat_1.png', 1000, '0'],
      ['dog_2.png', 10, '1'],
    ]);
    expect(fs.readFileSync(got[0]?.path ?? '')).toEqual(Buffer.from(bytes(1000, 1)));
    expect(got[1]?.sha256).toBe(createHash('sha256').update(bytes(10, 2)).digest('hex'));
    expect(fs.readdirSync(out).sort()).toEqual(['0', '1']);
  });

  it('refuses a decompression bomb by its ratio before inflating it', async () => {
    const zip = write([{ name: 'bomb.png', data: bytes(3 * 1024 * 1024, 0) }]);
    const err = await rejection(extractZip(zip, out, LIMITS));
    expect(err.kind).toBe('compression_ratio');
    expect(err.entry).toBe('bomb.png');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('refuses a bomb whose header lies about its size while inflating, within the per-entry cap', async () => {
    // Declares 1 KB, inflates to 6 MB: the ratio check cannot see it, the stream must stop it.
    const zip = write([{ name: 'liar.png', data: bytes(6 * 1024 * 1024, 0), declaredSize: 1024 }]);
    const err = await rejection(extractZip(zip, out, LIMITS));
    expect(err.kind).toBe('entry_too_large');
    const written = fs.readdirSync(out).map((f) => fs.statSync(path.join(out, f)).size);
    expect(Math.max(0, ...written)).toBeLessThanOrEqual(LIMITS.maxEntryBytes);
  });

  it('refuses many entries each under the ratio floor by the archive ratio, before writing any', async () => {
    // 10 × 1 MiB of zeros: each ~1 KiB deflated (not ratio-checked alone), together ~1000:1.
    const zip = write(Array.from({ length: 10 }, (_, i) => ({ name: `z${i}.png`, data: bytes(RATIO_FLOOR_BYTES, 0) })));
    const err = await rejection(extractZip(zip, out, { ...LIMITS, maxTotalBytes: 64 * 1024 * 1024 }));
    expect(err.kind).toBe('compression_ratio');
    expect(err.message).toMatch(/the archive inflates \d+:1/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('refuses an entry over the per-entry cap and a total over the archive cap', async () => {
    const big = await rejection(extractZip(write([{ name: 'big.png', data: bytes(5 * 1024 * 1024, 3), method: 'store' }]), out, LIMITS));
    expect(big.kind).toBe('entry_too_large');
    const three = Array.from({ length: 3 }, (_, i) => ({ name: `p${i}.png`, data: bytes(3 * 1024 * 1024, i), method: 'store' as const }));
    const total = await rejection(extractZip(write(three), out, LIMITS));
    expect(total.kind).toBe('too_large');
    expect(total.entry).toBe('p2.png');
  });

  it('does not ratio-check small entries (a blank 100 KB image compresses a lot, legitimately)', async () => {
    const got = await extractZip(write([{ name: 'blank.png', data: bytes(RATIO_FLOOR_BYTES - 1, 0) }]), out, LIMITS);
    expect(got[0]?.bytes).toBe(RATIO_FLOOR_BYTES - 1);
  });

  it.each([
    ['../evil.png', 'parent'],
    ['a/../../evil.png', 'parent'],
    ['/etc/evil.png', 'absolute'],
    ['C:/evil.png', 'absolute'],
    ['a\\..\\evil.png', 'backslash'],
  ])('refuses the zip-slip path %s and writes nothing', async (name) => {
    const zip = write([
      { name: 'ok.png', data: bytes(10) },
      { name, data: bytes(10) },
    ]);
    const err = await rejection(extractZip(zip, out, LIMITS));
    expect(err.kind).toBe('unsafe_path');
    expect(err.message).toContain(name);
    expect(fs.existsSync(path.join(dir, 'evil.png'))).toBe(false);
    expect(fs.existsSync('/etc/evil.png')).toBe(false);
  });

  it('refuses symbolic links', async () => {
    const err = await rejection(extractZip(write([{ name: 'link.png', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]), out, LIMITS));
    expect(err.kind).toBe('unsupported');
  });

  it('refuses a zip with too many entries before extracting any (the default limit, 20000)', async () => {
    const limits = uploadLimits({}).zip;
    const entries = Array.from({ length: limits.maxEntries + 1 }, (_, i) => ({ name: `f${i}.png`, data: bytes(1), method: 'store' as const }));
    const err = await rejection(extractZip(write(entries), out, limits));
    expect(err.kind).toBe('too_many_entries');
    expect(err.message).toContain(String(limits.maxEntries + 1));
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('refuses something that is not a zip, and a truncated zip', async () => {
    const file = path.join(dir, 'x.zip');
    fs.writeFileSync(file, 'hello, not a zip');
    expect((await rejection(extractZip(file, out, LIMITS))).kind).toBe('corrupt');
    const good = makeZip([{ name: 'a.png', data: bytes(2000, 9) }]);
    fs.writeFileSync(file, good.subarray(0, good.length - 30));
    expect((await rejection(extractZip(file, out, LIMITS))).kind).toBe('corrupt');
  });
});

describe('unsafeEntryName', () => {
  it('accepts ordinary relative names and refuses the dangerous ones', () => {
    expect(unsafeEntryName('cats/cat_001.jpg')).toBeNull();
    expect(unsafeEntryName('..foo.png')).toBeNull();
    expect(unsafeEntryName('a/../b.png')).toMatch(/parent/);
    expect(unsafeEntryName('x\u0000.png')).toMatch(/control/);
    expect(unsafeEntryName('')).toMatch(/empty/);
  });
});
