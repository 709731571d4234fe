import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { endTar, readTar, tarHeader, writeTarFile } from './tar';

async function pack(files: Record<string, Buffer>): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-test-'));
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (c: Buffer) => parts.push(c));
  for (const [name, bytes] of Object.entries(files)) {
    const file = path.join(dir, name.replace(/\//g, '_'));
    fs.writeFileSync(file, bytes);
    await writeTarFile(out, name, file);
  }
  await endTar(out);
  out.end();
  fs.rmSync(dir, { recursive: true });
  return Buffer.concat(parts);
}

async function unpack(archive: Buffer): Promise<Record<string, Buffer>> {
  const found: Record<string, Buffer> = {};
  await readTar(Readable.from([archive]), async (entry, chunks) => {
    const parts: Buffer[] = [];
    for await (const c of chunks) parts.push(c);
    found[entry.name] = Buffer.concat(parts);
  });
  return found;
}

describe('ustar writer and reader', () => {
  const files = { 'manifest.json': Buffer.from('{"a":1}'), 'db/empty.copy': Buffer.alloc(0), 'blobs/x': Buffer.alloc(1537, 7) };

  it('round-trips members of 0, 7 and 1537 bytes (block padding) in order', async () => {
    const archive = await pack(files);
    expect(archive.length % 512).toBe(0);
    expect(await unpack(archive)).toEqual(files);
  });

  it('GNU tar reads what it writes', async () => {
    const archive = await pack(files);
    const r = spawnSync('tar', ['-tvf', '-'], { input: archive, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/).at(-1))).toEqual(Object.keys(files));
  });

  it('refuses a damaged header, a truncated archive and a long name', async () => {
    const archive = await pack(files);
    const bad = Buffer.from(archive);
    bad[10] = (bad[10] as number) ^ 1;
    await expect(unpack(bad)).rejects.toThrow('bad header checksum');
    await expect(unpack(archive.subarray(0, 700))).rejects.toThrow('truncated');
    expect(() => tarHeader('x'.repeat(100), 1)).toThrow('too long');
  });
});
