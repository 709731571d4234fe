/**
 * A minimal POSIX ustar writer and reader for Gazebench backups (regular files only, names under
 * 100 bytes): members are streamed, never held whole in memory, and the archive is readable by
 * GNU tar (`tar -tzf backup.tar.gz`). Header layout: POSIX.1-1988 ustar (IEEE Std 1003.1).
 */
import fs from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

const BLOCK = 512;

export class TarError extends Error {}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

export function tarHeader(name: string, size: number, mtime = 0): Buffer {
  if (Buffer.byteLength(name) >= 100) throw new TarError(`tar: member name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(mtime / 1000), 12), 136);
  h.write('        ', 148); // checksum field counts as spaces
  h.write('0', 156); // regular file
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

async function write(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Appends a file as one member. */
export async function writeTarFile(out: Writable, name: string, file: string): Promise<void> {
  const { size, mtimeMs } = await fs.promises.stat(file);
  await write(out, tarHeader(name, size, mtimeMs));
  let written = 0;
  for await (const chunk of fs.createReadStream(file)) {
    written += (chunk as Buffer).length;
    await write(out, chunk as Buffer);
  }
  if (written !== size) throw new TarError(`tar: ${file} changed while it was archived`);
  if (size % BLOCK) await write(out, Buffer.alloc(BLOCK - (size % BLOCK)));
}

/** The two zero blocks that end an archive. */
export async function endTar(out: Writable): Promise<void> {
  await write(out, Buffer.alloc(2 * BLOCK));
}

export interface TarEntry {
  name: string;
  size: number;
}

/**
 * Reads members in order; `onEntry` receives each member's bytes as chunks and resolves when it
 * is done with them. Checks every header's checksum; a truncated archive is an error.
 */
export async function readTar(input: Readable, onEntry: (entry: TarEntry, chunks: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  let buffered = Buffer.alloc(0);
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let done = false;
  async function fill(n: number): Promise<boolean> {
    while (buffered.length < n && !done) {
      const next = await iterator.next();
      if (next.done) done = true;
      else buffered = Buffer.concat([buffered, next.value]);
    }
    return buffered.length >= n;
  }
  for (;;) {
    if (!(await fill(BLOCK))) throw new TarError('tar: archive is truncated (no end marker)');
    const header = buffered.subarray(0, BLOCK);
    buffered = buffered.subarray(BLOCK);
    if (header.every((b) => b === 0)) return;
    const stored = Number.parseInt(header.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
    if (stored !== sum) throw new TarError('tar: bad header checksum (not a Gazebench backup, or damaged)');
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    let left = size;
    async function* chunks(): AsyncGenerator<Buffer> {
      while (left > 0) {
        if (buffered.length === 0 && !(await fill(1))) throw new TarError(`tar: archive is truncated inside ${name}`);
        const take = buffered.subarray(0, Math.min(left, buffered.length));
        buffered = buffered.subarray(take.length);
        left -= take.length;
        yield take;
      }
    }
    await onEntry({ name, size }, chunks());
    for await (const _ of chunks()) void _; // what the callback did not read
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (!(await fill(pad))) throw new TarError(`tar: archive is truncated after ${name}`);
    buffered = buffered.subarray(pad);
  }
}
