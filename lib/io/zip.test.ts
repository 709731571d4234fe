import { describe, expect, it } from 'vitest';
import { readZip, ZipError } from './zip';
import { makeZip } from './zip.test-util';

const bytes = (n: number, v = 7) => new Uint8Array(n).fill(v);
const limits = { maxEntries: 3, maxEntryBytes: 100, maxTotalBytes: 150 };

describe('readZip (yauzl, in memory, capped)', () => {
  it('reads entries by base name, skipping folders and macOS resource forks', async () => {
    const zip = makeZip([
      { name: 'maps/a.npy', bytes: bytes(10, 1) },
      { name: '__MACOSX/maps/._a.npy', bytes: bytes(5) },
      { name: 'b.npy', bytes: bytes(3, 2) },
    ]);
    const out = await readZip(zip, limits);
    expect(out.map((e) => [e.name, e.path, e.bytes.length, e.bytes[0]])).toEqual([
      ['a.npy', 'maps/a.npy', 10, 1],
      ['b.npy', 'b.npy', 3, 2],
    ]);
  });

  it('refuses too many entries, too large entries and too much in total, before inflating', async () => {
    await expect(readZip(makeZip([1, 2, 3, 4].map((i) => ({ name: `${i}.npy`, bytes: bytes(1) }))), limits)).rejects.toThrow(/4 entries, more than the limit of 3/);
    await expect(readZip(makeZip([{ name: 'big.npy', bytes: bytes(101) }]), limits)).rejects.toThrow(/big.npy: 101 bytes, more than the 100-byte limit per file/);
    await expect(readZip(makeZip([{ name: 'a', bytes: bytes(80) }, { name: 'b', bytes: bytes(80) }]), limits)).rejects.toThrow(/more than 150 bytes uncompressed in total/);
  });

  it('refuses zip-slip names and sizes that lie', async () => {
    await expect(readZip(makeZip([{ name: '../../etc/passwd', bytes: bytes(1) }]), limits)).rejects.toThrow(/invalid relative path/);
    await expect(readZip(makeZip([{ name: '/abs.npy', bytes: bytes(1) }]), limits)).rejects.toThrow(/absolute path/);
    await expect(readZip(makeZip([{ name: 'lie.npy', bytes: bytes(90), declaredSize: 10 }]), limits)).rejects.toThrow(ZipError);
    await expect(readZip(new Uint8Array([1, 2, 3]), limits)).rejects.toThrow(/not a readable zip archive/);
  });
});
